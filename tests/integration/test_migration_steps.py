"""The schema built revision by revision, with data at each step, on both engines.

Every revision has a data function below that writes rows valid at that step; the rows
written at earlier steps must survive every later migration. A new revision without its
data function fails ``test_every_revision_has_data``; a column a revision adds that its
data function leaves empty in every row fails ``test_step_by_step_upgrade_keeps_data``.
The release can be rolled back: downgraded revision by revision to the first, then
upgraded again, with the data kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import SQLModel

import coproctl.models  # noqa: F401
from coproctl import schema
from coproctl.db import current_revision, make_engine

NOW = "2026-01-15 10:00:00.000000"


def _data_0001(conn: Connection, step: int) -> None:
    conn.execute(
        text(
            "INSERT INTO owner (owner_ref, last_name, created_at, updated_at) "
            "VALUES (:ref, 'Lefèvre', :now, :now)"
        ),
        {"ref": f"REF{step}", "now": NOW},
    )
    owner_id = conn.execute(
        text("SELECT id FROM owner WHERE owner_ref = :ref"), {"ref": f"REF{step}"}
    ).scalar_one()
    conn.execute(
        text(
            "INSERT INTO account (identifiant, identifiant_key, owner_id, lots, password_hash, "
            "password_origin, status, failed_logins, created_at, updated_at) VALUES "
            "(:ident, :key, :owner, '[]', 'x', 'syndic', 'pending', 0, :now, :now)"
        ),
        {"ident": f"ID{step}", "key": f"id{step}", "owner": owner_id, "now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO audit_event (at, actor, identifiant, action, outcome, details) "
            "VALUES (:now, 'migration-test', :ident, 'account.create', 'ok', '{}')"
        ),
        {"ident": f"ID{step}", "now": NOW},
    )


def _data_0002(conn: Connection, step: int) -> None:
    """Rows valid at 0002 (same shape as 0001 until the release's sections add columns)."""
    # staff: the rows already there got their folded search text (accents gone)
    folded = conn.execute(
        text("SELECT o.search_text, a.search_text FROM owner o JOIN account a ON a.owner_id = o.id")
    ).all()
    assert ("ref1 lefevre", "id1") in [tuple(row) for row in folded]
    _data_0001(conn, step)
    conn.execute(
        text(
            "UPDATE account SET staff_locked_until = :now, locked_until = :now, "
            "locked_by = 'staff-test', search_text = :folded WHERE identifiant = :ident"
        ),
        {"now": NOW, "folded": f"id{step}", "ident": f"ID{step}"},
    )
    # mail: a message remembers the transport it was queued for
    conn.execute(
        text(
            "INSERT INTO outbox_message (kind, to_addr, subject, body_text, status, attempts, "
            "next_attempt_at, created_at, transport) VALUES ('password_changed', "
            "'marie@example.com', 'Objet', 'Texte', 'queued', 0, :now, :now, 'smtp:relay:587')"
        ),
        {"now": NOW},
    )
    # procedures: a verified code keeps the keyed hash of the proof it handed out
    account_id = conn.execute(
        text("SELECT id FROM account WHERE identifiant = :ident"), {"ident": f"ID{step}"}
    ).scalar_one()
    conn.execute(
        text(
            "INSERT INTO verification_code (account_id, purpose, digest, target_email, "
            "created_at, expires_at, attempts, verified_at, proof_digest) VALUES "
            "(:account, 'update', :digest, 'marie@example.com', :now, :now, 0, :now, :proof)"
        ),
        {"account": account_id, "digest": b"d" * 32, "now": NOW, "proof": b"p" * 32},
    )
    # imports: an erased owner remembered by a keyed hash (one per step: the primary key)
    conn.execute(
        text("INSERT INTO erased_reference (digest, erased_at) VALUES (:digest, :now)"),
        {"digest": bytes([step]) * 32, "now": NOW},
    )
    # web: an owner's session (keyed-hashed id, sealed state) and a rate-limit count
    conn.execute(
        text(
            "INSERT INTO web_session (id_digest, account_id, state, created_at, seen_at) "
            "VALUES (:digest, :account, :state, :now, :now)"
        ),
        {"digest": bytes([step]) * 32, "account": account_id, "state": b"s" * 40, "now": NOW},
    )
    conn.execute(
        text("INSERT INTO web_rate_count (bucket, minute, count) VALUES (:bucket, 1, 3)"),
        {"bucket": bytes([step]) * 32},
    )


DATA: dict[str, Callable[[Connection, int], None]] = {"0001": _data_0001, "0002": _data_0002}


def revisions_in_order() -> list[str]:
    script = ScriptDirectory.from_config(schema.alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_every_revision_has_data() -> None:
    assert set(revisions_in_order()) == set(DATA)


def test_step_by_step_upgrade_keeps_data(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        columns: dict[str, dict[str, list[str]]] = {}  # revision -> table -> its columns
        for step, revision in enumerate(revisions_in_order(), start=1):
            schema.upgrade(engine, revision)
            with engine.begin() as conn:
                DATA[revision](conn, step)
                owners = conn.execute(text("SELECT COUNT(*) FROM owner")).scalar_one()
                assert owners == step
            snapshot = _snapshot(engine)
            columns[revision] = {name: table[0] for name, table in snapshot.items()}
            if step == 1:
                continue
            # a later revision's data step writes a value in every column the revision added
            previous = columns[revisions_in_order()[step - 2]]
            empty = [
                f"{name}.{column}"
                for name, (names, rows) in snapshot.items()
                for index, column in enumerate(names)
                if column not in previous.get(name, []) and all(row[index] is None for row in rows)
            ]
            assert empty == [], f"_data_{revision} leaves these new columns empty: {empty}"
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs: list[Any] = compare_metadata(context, SQLModel.metadata)
            assert diffs == []
            identifiants = conn.execute(text("SELECT identifiant FROM account")).scalars().all()
        assert sorted(identifiants) == [f"ID{n}" for n in range(1, len(DATA) + 1)]
    finally:
        engine.dispose()


def _snapshot(engine: Engine) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every table: (its columns, its rows in primary-key order), as the database has them."""
    tables = {}
    with engine.connect() as conn:
        inspector = inspect(conn)
        for name in inspector.get_table_names():
            if name == "alembic_version":
                continue
            columns = [column["name"] for column in inspector.get_columns(name)]
            keys = inspector.get_pk_constraint(name)["constrained_columns"] or columns
            rows = conn.execute(
                text(f"SELECT {', '.join(columns)} FROM {name} ORDER BY {', '.join(keys)}")
            ).all()
            tables[name] = (columns, [tuple(row) for row in rows])
    return tables


Snapshot = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def _project(columns: list[str], rows: list[tuple[Any, ...]], kept: list[str]) -> list[Any]:
    at = [columns.index(column) for column in kept]
    return [tuple(row[i] for i in at) for row in rows]


def _lost(before: Snapshot, after: Snapshot, oldest: Snapshot) -> list[str]:
    """The tables whose rows ``after`` does not have as ``before`` had them, on the columns
    the oldest schema has too (the newer columns are dropped by a downgrade, by design)."""
    lost = []
    for name in sorted(oldest):
        kept = oldest[name][0]
        if _project(*before[name], kept) != _project(*after[name], kept):
            lost.append(f"{name} ({', '.join(kept)})")
    return lost


def test_downgrade_to_the_last_release_and_back_keeps_the_data(db_url: str) -> None:
    """The release can be rolled back: each revision downgraded in turn to the first (0002
    -> 0001) keeps every row and every value of the tables and columns the older schema
    has (what the newer one added goes with it); upgraded again to the head, nothing was
    lost, the schema is the models', and the new columns take rows again."""
    engine = make_engine(db_url)
    try:
        revisions = revisions_in_order()
        for step, revision in enumerate(revisions, start=1):
            schema.upgrade(engine, revision)
            with engine.begin() as conn:
                DATA[revision](conn, step)
        at_head = _snapshot(engine)
        for revision in reversed(revisions[:-1]):
            schema.downgrade(engine, revision)
            assert current_revision(engine) == revision
            older = _snapshot(engine)
            assert _lost(at_head, older, older) == [], f"lost going down to {revision}"
        assert all(older[name][1] for name in ("owner", "account", "audit_event"))
        schema.upgrade(engine)
        assert current_revision(engine) == revisions[-1]
        assert _lost(at_head, _snapshot(engine), older) == [], "lost going up again"
        with engine.begin() as conn:
            DATA[revisions[-1]](conn, len(revisions) + 1)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
            identifiants = conn.execute(text("SELECT identifiant FROM account")).scalars().all()
        assert sorted(identifiants) == [f"ID{n}" for n in range(1, len(revisions) + 2)]
    finally:
        engine.dispose()


def test_sqlite_pragmas(db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    import stat
    from pathlib import Path

    engine = make_engine(db_url, busy_timeout_ms=1234)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
    finally:
        engine.dispose()
    path = Path(db_url.removeprefix("sqlite:///"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
