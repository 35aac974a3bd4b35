"""Issue 9 item 6: what the database raises unexpectedly is one French line, exit 2.

The failures are real: a trigger makes the database itself refuse the audit row written in
the same transaction as a new account (on SQLite and on PostgreSQL), and a statement on a
missing table fails with its parameters bound.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from coproctl.db import make_engine
from tests.inputs.conftest import Cli

SECRET_LOOKING = "$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0$aGFzaA"


def test_engines_never_show_statement_parameters(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with pytest.raises(SQLAlchemyError) as caught, engine.begin() as conn:
            conn.execute(
                text("INSERT INTO no_such_table (password_hash) VALUES (:hash)"),
                {"hash": SECRET_LOOKING},
            )
    finally:
        engine.dispose()
    assert "no_such_table" in str(caught.value)  # the statement failed where expected
    assert SECRET_LOOKING not in str(caught.value)
    assert "$argon2id$" not in str(caught.value)


def _refuse_audit_rows(db_url: str) -> None:
    """A trigger that makes the database refuse every new audit row (both engines)."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            if db_url.startswith("sqlite"):
                conn.exec_driver_sql(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_event "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            else:
                conn.exec_driver_sql(
                    "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql"
                )
                conn.exec_driver_sql(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_event "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
                )
    finally:
        engine.dispose()


def _allow_audit_rows(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "DROP TRIGGER refuse_audit"
                + ("" if db_url.startswith("sqlite") else " ON audit_event")
            )
    finally:
        engine.dispose()


CREATE = ["account", "create", "NEW001", "--owner-ref", "C0100", "--last-name", "Neuf"]


def test_unexpected_database_error_is_one_line_exit_2_and_writes_nothing(
    cli: Cli, initialised: Any, db_url: str
) -> None:
    _refuse_audit_rows(db_url)
    run = cli(*CREATE, "--password-stdin", input="Initial-Aa11\n")
    assert run.exit_code == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert re.match(
        r"Erreur \(database_error\)\s: Erreur inattendue de la base de données", lines[0]
    )
    assert "refused by the test" in lines[0]  # the database's own words, first line only
    for leak in ("INSERT", "[SQL", "parameters", "$argon2"):
        assert leak not in run.stderr

    as_json = cli.json(*CREATE, "--password-stdin", input="Initial-Aa11\n")
    assert as_json.exit_code == 2
    assert as_json.data["error"]["code"] == "database_error"

    _allow_audit_rows(db_url)
    # nothing half written: neither the owner nor the account of the refused transaction
    missing = cli.json("account", "show", "NEW001")
    assert missing.exit_code == 1
    assert missing.data["error"]["code"] == "not_found"
    assert cli.json("owner", "show", "C0100").exit_code == 1
    # and the same command now goes through
    assert cli(*CREATE, "--password-stdin", input="Initial-Aa11\n").exit_code == 0
