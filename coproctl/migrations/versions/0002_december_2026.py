"""December 2026: the schema changes of the trust, import, staff and owners' pages work

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00

One revision for the release, in sections (one per piece of work), each upgraded and
downgraded on its own; SQLite goes through batch mode (``render_as_batch``).
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401 (the sections use it)
import sqlmodel.sql.sqltypes  # noqa: F401 (the sections use it)
from alembic import op  # noqa: F401 (the sections use it)

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --- procedures and trust (issue 9) ---------------------------------------------------
def _upgrade_procedures() -> None:
    pass


def _downgrade_procedures() -> None:
    pass


# --- imports (issue 10) ---------------------------------------------------------------
def _upgrade_imports() -> None:
    pass


def _downgrade_imports() -> None:
    pass


# --- mail (issues 9 and 11) -----------------------------------------------------------
def _upgrade_mail() -> None:
    pass


def _downgrade_mail() -> None:
    pass


# --- staff (issue 11) -----------------------------------------------------------------
def _upgrade_staff() -> None:
    pass


def _downgrade_staff() -> None:
    pass


# --- the owners' pages (issue 12) -----------------------------------------------------
def _upgrade_web() -> None:
    pass


def _downgrade_web() -> None:
    pass


def upgrade() -> None:
    _upgrade_procedures()
    _upgrade_imports()
    _upgrade_mail()
    _upgrade_staff()
    _upgrade_web()


def downgrade() -> None:
    _downgrade_web()
    _downgrade_staff()
    _downgrade_mail()
    _downgrade_imports()
    _downgrade_procedures()
