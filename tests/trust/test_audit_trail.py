"""Issue 9, item 10: the audit trail never makes a defence fail open.

A refusal's effect (a failed-login count, a spent try on a code) commits even when the trail
cannot take the event as it is; every value the trail stores is bounded; the actor is
checked before anything is done.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from coproctl.errors import Refused
from tests.cli.conftest import Cli
from tests.trust.conftest import Procedures

SQLITE_TRIGGER = """
CREATE TRIGGER refuse_detailed_refusals BEFORE INSERT ON audit_event
WHEN NEW.outcome = 'bad_credentials' AND json_extract(NEW.details, '$.details_cut') IS NULL
BEGIN SELECT RAISE(ABORT, 'audit write refused'); END
"""
POSTGRES_TRIGGER = (
    """
CREATE FUNCTION refuse_detailed_refusals() RETURNS trigger AS $$ BEGIN
    IF NEW.outcome = 'bad_credentials' AND (NEW.details::jsonb ->> 'details_cut') IS NULL THEN
        RAISE EXCEPTION 'audit write refused';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER refuse_detailed_refusals BEFORE INSERT ON audit_event
FOR EACH ROW EXECUTE FUNCTION refuse_detailed_refusals()
""",
)


def account_row(procedures: Procedures, identifiant: str) -> Any:
    with procedures.office.engine.connect() as conn:
        return conn.execute(
            text("SELECT failed_logins, locked_until FROM account WHERE identifiant = :i"),
            {"i": identifiant},
        ).one()


def test_failed_logins_commit_even_when_the_trail_refuses_the_event(
    procedures: Procedures,
) -> None:
    """The database refuses every detailed bad_credentials event (a trigger stands for a
    disk, a constraint, a value the engine will not take): the count and the lock hold."""
    procedures.account("ID001")
    engine = procedures.office.engine
    with engine.begin() as conn:
        statements = (SQLITE_TRIGGER,) if engine.dialect.name == "sqlite" else POSTGRES_TRIGGER
        for statement in statements:
            conn.exec_driver_sql(statement)
    codes = []
    for _ in range(5):
        with pytest.raises(Refused) as caught:
            procedures.login("ID001", "Pas-Le-Bon-7")
        codes.append(caught.value.code)
    assert codes == ["bad_credentials"] * 5
    failed, locked_until = account_row(procedures, "ID001")
    assert failed == 5
    assert locked_until is not None  # the 5th miss locked the account
    with engine.connect() as conn:
        kept = conn.execute(
            text("SELECT details FROM audit_event WHERE outcome = 'bad_credentials'")
        ).scalars()
        assert [_as_dict(d) for d in kept] == [{"details_cut": True}] * 5


def test_every_stored_value_is_bounded(procedures: Procedures) -> None:
    from coproctl.services.common import refuse, wrong_state

    procedures.account("ID001")
    office = procedures.office
    with office.uow() as uow:
        from coproctl.services.common import find_account

        account = find_account(uow.session, "ID001")
        assert account is not None
        account.failed_logins = 3
        uow.session.add(account)
        refuse(
            uow,
            office,
            "test.refusal",
            wrong_state("refusé"),
            account=account,
            note="x" * 10_000,
            nul="a\x00b\x1bc",
            many=list(range(500)),
            nested={"deep": {"deeper": {"deepest": {"bottom": "y" * 1000}}}},
            weird=float("nan"),
        )
    assert account_row(procedures, "ID001")[0] == 3
    with office.engine.connect() as conn:
        stored = _as_dict(
            conn.execute(
                text("SELECT details FROM audit_event WHERE action = 'test.refusal'")
            ).scalar_one()
        )
    assert len(stored["note"]) == 200
    assert stored["note"].endswith("\u2026")
    assert stored["nul"] == "a\ufffdb\ufffdc"
    assert len(stored["many"]) == 21
    assert stored["many"][-1] == "\u2026 (+480)"
    assert len(str(stored["nested"])) < 300
    assert stored["weird"] == "nan"


def test_an_over_long_actor_is_refused_before_anything(cli: Cli) -> None:
    run = cli(
        "account",
        "create",
        "ID001",
        "--owner-ref",
        "C1",
        "--last-name",
        "Durand",
        "--password-stdin",
        input="Initial-Aa11\n",
    )
    assert run.exit_code == 0, run.output
    for actor in ("x" * 201, "nom\navec retour", "a\x1b[31mrouge"):
        refused = cli.json("--actor", actor, "login", "ID001", "--password-stdin", input="Faux\n")
        assert refused.exit_code == 2, refused.output
        assert "--actor" in refused.data["error"]["message"]
    shown = cli.json("account", "show", "ID001").data
    assert shown["failed_logins"] == 0
    ok = cli.json("--actor", "y" * 200, "login", "ID001", "--password-stdin", input="Faux\n")
    assert ok.data["error"]["code"] == "bad_credentials"
    assert cli.json("account", "show", "ID001").data["failed_logins"] == 1


def _as_dict(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value
