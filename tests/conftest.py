"""Shared fixtures: a database per test on SQLite and on PostgreSQL, settings, the CLI.

PostgreSQL runs when ``COPROCTL_TEST_POSTGRES_URL`` points at a server (``.ci/run`` sets
it): each test gets its own schema, created and dropped around it. Without the variable the
PostgreSQL half of every database test is skipped, and says why.
"""

from __future__ import annotations

import email
import email.policy
import os
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

POSTGRES_URL = os.environ.get("COPROCTL_TEST_POSTGRES_URL", "").strip()
SECRET = "k" * 20 + "test-secret-key-0123456789"
SKIP_PG = "PostgreSQL tests skipped: COPROCTL_TEST_POSTGRES_URL is not set"


def _pg_schema_url(base: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(base)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'coproctl.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip(SKIP_PG)
    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(_pg_schema_url(POSTGRES_URL, "public"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str, mail_dir: Path
) -> dict[str, str]:
    """The COPROCTL_* environment of a test: its database, key, mail folder, nothing shared."""
    for name in list(os.environ):
        if name.startswith("COPROCTL_") and name != "COPROCTL_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    values = {
        "COPROCTL_HOME": str(tmp_path / "home"),
        "COPROCTL_DATABASE_URL": db_url,
        "COPROCTL_SECRET_KEY": SECRET,
        "COPROCTL_MAIL_TRANSPORT": f"file:{mail_dir}",
        "COPROCTL_ENUMERATION_FLOOR_MS": "0",
        "COPROCTL_ACTOR": "test-staff",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def settings(env: dict[str, str]) -> Any:
    from coproctl.config import load_settings

    return load_settings()


@pytest.fixture
def initialised(settings: Any) -> Any:
    from coproctl.services.maintenance.setup import initialise

    initialise(settings)
    return settings


@pytest.fixture
def office(initialised: Any) -> Iterator[Any]:
    """A back office on an initialised database (services called directly)."""
    from coproctl.services.office import open_backoffice

    with open_backoffice(initialised, "test-staff") as backoffice:
        yield backoffice


def read_mails(folder: Path) -> list[EmailMessage]:
    if not folder.is_dir():
        return []
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for path in sorted(folder.glob("*.eml"))
    ]


def mail_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def code_from(message: EmailMessage) -> str:
    import re

    # the code stands alone on its line, grouped for reading ("6776 1939"); returned whole
    found = re.search(r"^\s+(\d{4}) ?(\d{4})\s*$", mail_text(message), re.MULTILINE)
    assert found, "no code in this mail"
    return found.group(1) + found.group(2)


def last_code(folder: Path, to: str | None = None) -> str:
    mails = [m for m in read_mails(folder) if "_code" in (m["X-Coproctl-Kind"] or "")]
    if to is not None:
        mails = [m for m in mails if m["To"].addresses[0].addr_spec == to]
    assert mails, "no code mail"
    return code_from(mails[-1])
