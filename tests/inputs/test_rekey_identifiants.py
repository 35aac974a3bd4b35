"""Issue 9 item 16: revision 0002 recomputes every ``identifiant_key`` by the NFKC, case-folded
rule; identifiants that become one key are reported, not merged, and never stop the upgrade."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from coproctl import schema
from coproctl.db import make_engine
from coproctl.services.common import find_account

NOW = "2026-01-15 10:00:00.000000"


def _account(conn: Any, identifiant: str, key: str) -> int:
    conn.execute(
        text(
            "INSERT INTO account (identifiant, identifiant_key, owner_id, lots, password_hash, "
            "password_origin, status, failed_logins, created_at, updated_at) VALUES "
            "(:ident, :key, 1, '[]', 'x', 'syndic', 'pending', 0, :now, :now)"
        ),
        {"ident": identifiant, "key": key, "now": NOW},
    )
    return conn.execute(
        text("SELECT id FROM account WHERE identifiant_key = :key"), {"key": key}
    ).scalar_one()


def _keys(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, identifiant_key FROM account")).all())


def _undo_rekey(engine: Engine) -> None:
    """This section's downgrade alone (the whole revision's downgrade runs the others too)."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(schema.alembic_config()).get_revision("0002")
    assert revision is not None
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        revision.module._unrekey_identifiants()


def test_keys_recomputed_and_collisions_reported(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(db_url)
    try:
        schema.upgrade(engine, "0001")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO owner (owner_ref, last_name, created_at, updated_at) "
                    "VALUES ('C1', 'Lefèvre', :now, :now)"
                ),
                {"now": NOW},
            )
            # keys as 0001 made them: strip().lower()
            plain = _account(conn, "LEF001", "lef001")
            twin = _account(conn, "ＬＥＦ００１", "ｌｅｆ００１")
            street = _account(conn, "Straße", "straße")
            fullwidth = _account(conn, "ｍａｒ００３", "ｍａｒ００３")
            unchanged = _account(conn, "MAR002", "mar002")
            too_long = None
            if db_url.startswith("sqlite"):  # PostgreSQL's column never let such a key in
                too_long = _account(conn, "İ" * 40, ("İ" * 40).lower())
        with caplog.at_level(logging.WARNING, logger="coproctl.migrations"):
            schema.upgrade(engine)

        keys = _keys(engine)
        assert keys[plain] == "lef001"  # it held the key: it keeps it
        assert keys[twin] == f"lef001#{twin}"  # reachable by staff, takeable by no one new
        assert keys[street] == "strasse"
        assert keys[fullwidth] == "mar003"
        assert keys[unchanged] == "mar002"
        if too_long is not None:
            suffix = f"#{too_long}"
            assert keys[too_long] == ("İ" * 40).casefold()[: 64 - len(suffix)] + suffix

        with engine.connect() as conn:
            events = conn.execute(
                text(
                    "SELECT account_id, identifiant, outcome, actor FROM audit_event "
                    "WHERE action = 'account.rekey' ORDER BY account_id"
                )
            ).all()
        expected = [(twin, "ＬＥＦ００１", "collision", "coproctl init")]
        if too_long is not None:
            expected.append((too_long, "İ" * 40, "too_long", "coproctl init"))
        assert [tuple(e) for e in events] == expected
        warnings = " ".join(r.getMessage() for r in caplog.records)
        assert "ＬＥＦ００１" in warnings
        assert f"lef001#{twin}" in warnings
        assert "se confond avec « LEF001 »" in warnings

        with Session(engine) as session:  # what every service looks up by
            found = find_account(session, "ＬＥＦ００１")
            assert found is not None
            assert found.id == plain
            found = find_account(session, f"lef001#{twin}")
            assert found is not None
            assert found.id == twin
            found = find_account(session, "STRASSE")
            assert found is not None
            assert found.id == street
            found = find_account(session, "MAR003")
            assert found is not None
            assert found.id == fullwidth

        _undo_rekey(engine)
        back = _keys(engine)
        assert back[plain] == "lef001"
        assert back[twin] == "ｌｅｆ００１"
        assert back[street] == "straße"
        assert back[fullwidth] == "ｍａｒ００３"
    finally:
        engine.dispose()
