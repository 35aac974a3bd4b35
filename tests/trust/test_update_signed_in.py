"""The contract for a face that keeps the owner signed in (issue 12 builds on it):
``start_update_signed_in`` is step 2 of the update after ``login()``, with the rules and
the audit of ``start_update`` after its credential check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from coproctl.clock import now
from coproctl.errors import Refused
from tests.trust.conftest import Procedures

ADDRESS = "marie@example.com"


def start(procedures: Procedures, identifiant: str = "ID001", address: str = ADDRESS) -> object:
    from coproctl.services.procedures.update import start_update_signed_in

    return start_update_signed_in(procedures.office, identifiant, address, address)


def refused(procedures: Procedures, *args: str) -> str:
    with pytest.raises(Refused) as caught:
        start(procedures, *args)
    return caught.value.code


def test_signed_in_owner_gets_the_code_without_typing_the_password_again(
    procedures: Procedures,
) -> None:
    from coproctl.services.audit import list_audit

    procedures.account("ID001")
    assert procedures.login("ID001", "Initial-Aa11").next_step == "update required"
    sent = start(procedures)
    assert sent.to == ADDRESS  # type: ignore[attr-defined]
    verified = procedures.verify("ID001", procedures.code(ADDRESS))
    assert procedures.set_password("ID001", verified).identifiants == ["ID001"]
    [event] = list_audit(procedures.office, identifiant="ID001", action="update.start")
    assert (event.outcome, event.details["to"], event.details["signed_in"]) == ("ok", ADDRESS, True)


def test_what_changed_since_the_login_is_checked_again(procedures: Procedures) -> None:
    from coproctl.services.owners.accounts import disable_account, lock_account

    procedures.account("ID001")
    procedures.account("ID002", owner_ref="C2", last_name="Durand")
    procedures.account("ID003", owner_ref="C3", last_name="Bernard")
    procedures.update("ID003", "bernard@example.com")
    lock_account(procedures.office, "ID001", minutes=10)
    disable_account(procedures.office, "ID002")
    assert refused(procedures, "ID001") == "account_locked"
    assert refused(procedures, "ID002") == "account_disabled"
    assert refused(procedures, "ID003", "bernard@example.com") == "wrong_state"
    assert refused(procedures, "NOPE01") == "not_found"


def test_an_expired_letter_password_stops_the_signed_in_step_too(procedures: Procedures) -> None:
    with freeze_time(now()) as frozen:
        procedures.account("ID001")
        frozen.tick(timedelta(days=366))
        assert refused(procedures, "ID001") == "initial_password_expired"


def test_the_email_rules_are_those_of_start_update(procedures: Procedures) -> None:
    from coproctl.services.procedures.update import start_update_signed_in

    procedures.account("ID001")
    with pytest.raises(Refused) as caught:
        start_update_signed_in(procedures.office, "ID001", ADDRESS, "autre@example.com")
    assert caught.value.code == "email_mismatch"
    with pytest.raises(Refused) as caught:
        start_update_signed_in(procedures.office, "ID001", "m@gmial.com", "m@gmial.com")
    assert caught.value.code == "email_typo"
