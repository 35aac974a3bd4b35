"""December 2026: the schema changes of the trust, import, staff and owners' pages work

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00

One revision for the release, in sections (one per piece of work), each upgraded and
downgraded on its own; SQLite goes through batch mode (``render_as_batch``).
"""

import logging
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_log = logging.getLogger("coproctl.migrations")


# --- procedures and trust (issue 9) ---------------------------------------------------
_ACCOUNT = sa.table(
    "account",
    sa.column("id", sa.Integer),
    sa.column("identifiant", sa.String),
    sa.column("identifiant_key", sa.String),
)
_AUDIT = sa.table(
    "audit_event",
    sa.column("at", sa.DateTime),
    sa.column("actor", sa.String),
    sa.column("account_id", sa.Integer),
    sa.column("identifiant", sa.String),
    sa.column("action", sa.String),
    sa.column("outcome", sa.String),
    sa.column("details", sa.JSON),
)
_KEY_MAX = 64  # account.identifiant_key


def _nfkc_key(identifiant: str) -> str:
    """``coproctl.inputs.identifiant_key`` as of this revision, frozen here: a later change
    of the rule needs a migration of its own."""
    return unicodedata.normalize("NFKC", identifiant).strip().casefold()


def _set_keys(conn: sa.Connection, keys: dict[int, str]) -> None:
    """Give accounts their new keys in two passes (a key may move onto one another account
    holds until its own turn: the unique index would refuse the move)."""
    if not keys:
        return
    statement = (
        sa.update(_ACCOUNT)
        .where(_ACCOUNT.c.id == sa.bindparam("row_id"))
        .values(identifiant_key=sa.bindparam("new_key"))
    )
    conn.execute(statement, [{"row_id": i, "new_key": f"#rekey#{i}"} for i in keys])
    conn.execute(statement, [{"row_id": i, "new_key": key} for i, key in keys.items()])


def _rekey_identifiants() -> None:
    """Every account's ``identifiant_key`` recomputed by the NFKC, case-folded rule.

    Until now the key was ``strip().lower()``: fullwidth ``ＬＥＦ００１`` and ``LEF001`` were two
    accounts. Where identifiants now share a key, nothing is merged and the upgrade goes on:
    the account that already held the key keeps it (else the oldest), each other one gets
    ``<key>#<id>`` (staff can type it; no new identifiant can take it, ``#`` being refused),
    and so does an identifiant whose key no longer fits its column. Each such account gets an
    audit event (``account.rekey``) and a warning on standard error, naming it.
    """
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_ACCOUNT.c.id, _ACCOUNT.c.identifiant, _ACCOUNT.c.identifiant_key).order_by(
            _ACCOUNT.c.id
        )
    ).all()
    groups: dict[str, list[sa.Row[Any]]] = {}
    for row in rows:
        groups.setdefault(_nfkc_key(row.identifiant), []).append(row)
    final: dict[int, str] = {}
    moved: list[tuple[sa.Row[Any], str, str | None]] = []  # (account, key, same key as)
    for key, members in groups.items():
        keeper = next((m for m in members if m.identifiant_key == key), members[0])
        if len(key) <= _KEY_MAX:
            final[keeper.id] = key
        else:
            moved.append((keeper, "", None))
        moved.extend((m, "", keeper.identifiant) for m in members if m is not keeper)
    taken = set(final.values())
    for index, (account, _, same_as) in enumerate(moved):
        suffix = f"#{account.id}"
        base = _nfkc_key(account.identifiant)
        while (candidate := base[: _KEY_MAX - len(suffix)] + suffix) in taken:
            suffix = "#" + suffix
        taken.add(candidate)
        final[account.id] = candidate
        moved[index] = (account, candidate, same_as)
    _set_keys(conn, {r.id: final[r.id] for r in rows if final[r.id] != r.identifiant_key})
    if not moved:
        return
    now = datetime.now(UTC)
    conn.execute(
        sa.insert(_AUDIT),
        [
            {
                "at": now,
                "actor": "coproctl init",
                "account_id": account.id,
                "identifiant": account.identifiant,
                "action": "account.rekey",
                "outcome": "collision" if same_as is not None else "too_long",
                "details": {"key": key, **({"same_as": same_as} if same_as else {})},
            }
            for account, key, same_as in moved
        ],
    )
    for account, key, same_as in moved:
        why = (
            f"se confond avec « {same_as} »"
            if same_as is not None
            else f"trop long une fois normalisé ({_KEY_MAX} caractères au plus)"
        )
        _log.warning(
            "Identifiant « %s » (compte %s) : %s ; il se tape désormais « %s ».",
            account.identifiant,
            account.id,
            why,
            key,
        )


def _unrekey_identifiants() -> None:
    """Back to the keys of 0001 (``strip().lower()``), where no other account holds one."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_ACCOUNT.c.id, _ACCOUNT.c.identifiant, _ACCOUNT.c.identifiant_key)
    ).all()
    final = {row.id: row.identifiant_key for row in rows}
    taken = set(final.values())
    for row in rows:
        old = row.identifiant.strip().lower()
        if old != row.identifiant_key and old not in taken and len(old) <= _KEY_MAX:
            taken.discard(row.identifiant_key)
            taken.add(old)
            final[row.id] = old
    _set_keys(conn, {r.id: final[r.id] for r in rows if final[r.id] != r.identifiant_key})


def _add_proof_digest() -> None:
    """verification_code.proof_digest: the keyed hash of the proof a verified code gives."""
    with op.batch_alter_table("verification_code", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proof_digest", sa.LargeBinary(length=32), nullable=True))


def _drop_proof_digest() -> None:
    with op.batch_alter_table("verification_code", schema=None) as batch_op:
        batch_op.drop_column("proof_digest")


def _upgrade_procedures() -> None:
    _rekey_identifiants()
    _add_proof_digest()


def _downgrade_procedures() -> None:
    _drop_proof_digest()
    _unrekey_identifiants()


# --- imports (issue 10) ---------------------------------------------------------------
def _upgrade_imports() -> None:
    # keyed hashes of erased owner references and identifiants: an import skips them
    op.create_table(
        "erased_reference",
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )


def _downgrade_imports() -> None:
    op.drop_table("erased_reference")


# --- mail (issues 9 and 11) -----------------------------------------------------------
def _upgrade_mail() -> None:
    # the transport a message was queued for (issue 11: a run with another one leaves it)
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("transport", sqlmodel.sql.sqltypes.AutoString(length=600), nullable=True)
        )


def _downgrade_mail() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("transport")


# --- staff (issue 11) -----------------------------------------------------------------
def _upgrade_staff() -> None:
    """Search columns (accents and ligatures folded, filled for the rows already there), the
    staff lock (``account lock``: until when, by whom), the audit trail's identifiant key."""
    from coproctl.folding import account_search_text, owner_search_text

    with op.batch_alter_table("owner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("staff_locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("locked_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
    bind = op.get_bind()
    owners = sa.table(
        "owner",
        sa.column("id", sa.Integer),
        sa.column("owner_ref", sa.String),
        sa.column("last_name", sa.String),
        sa.column("first_name", sa.String),
        sa.column("search_text", sa.Text),
    )
    accounts = sa.table(
        "account",
        sa.column("id", sa.Integer),
        sa.column("identifiant", sa.String),
        sa.column("email", sa.String),
        sa.column("copropriete", sa.String),
        sa.column("search_text", sa.Text),
    )
    for table, columns, folded in (
        (owners, ("owner_ref", "last_name", "first_name"), owner_search_text),
        (accounts, ("identifiant", "email", "copropriete"), account_search_text),
    ):
        rows = bind.execute(sa.select(table.c.id, *(table.c[name] for name in columns))).all()
        update = (
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values(search_text=sa.bindparam("folded"))
        )
        for start in range(0, len(rows), 2000):
            batch = rows[start : start + 2000]
            values = [{"row_id": row[0], "folded": folded(*row[1:])} for row in batch]
            bind.execute(update, values)
    _add_audit_identifiant_key()


def _add_audit_identifiant_key() -> None:
    """audit_event.identifiant_key: events found by the identifiant's one lookup key (NFKC,
    case-folded), filled here for the events already there (one UPDATE per identifiant)."""
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "identifiant_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
            )
        )
        batch_op.create_index(
            batch_op.f("ix_audit_event_identifiant_key"), ["identifiant_key"], unique=False
        )
    bind = op.get_bind()
    events = sa.table(
        "audit_event",
        sa.column("identifiant", sa.String),
        sa.column("identifiant_key", sa.String),
    )
    identifiants = (
        bind.execute(
            sa.select(events.c.identifiant).where(events.c.identifiant.is_not(None)).distinct()
        )
        .scalars()
        .all()
    )
    update = (
        events.update()
        .where(events.c.identifiant == sa.bindparam("typed"))
        .values(identifiant_key=sa.bindparam("key"))
    )
    for start in range(0, len(identifiants), 2000):
        batch = identifiants[start : start + 2000]
        bind.execute(update, [{"typed": i, "key": _nfkc_key(i)[:200]} for i in batch])


def _drop_audit_identifiant_key() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_identifiant_key"))
        batch_op.drop_column("identifiant_key")


def _downgrade_staff() -> None:
    _drop_audit_identifiant_key()
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("locked_by")
        batch_op.drop_column("staff_locked_until")
        batch_op.drop_column("search_text")
    with op.batch_alter_table("owner", schema=None) as batch_op:
        batch_op.drop_column("search_text")


# --- the owners' pages (issue 12) -----------------------------------------------------
def _upgrade_web() -> None:
    """Server-side sessions of the owners' pages, and the counts their rate limits share."""
    op.create_table(
        "web_session",
        sa.Column("id_digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_digest"),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_account_id"), ["account_id"])
        batch_op.create_index(batch_op.f("ix_web_session_seen_at"), ["seen_at"])
    op.create_table(
        "web_rate_count",
        sa.Column("bucket", sa.LargeBinary(length=32), nullable=False),
        sa.Column("minute", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "minute"),
    )


def _downgrade_web() -> None:
    op.drop_table("web_rate_count")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_seen_at"))
        batch_op.drop_index(batch_op.f("ix_web_session_account_id"))
    op.drop_table("web_session")


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
