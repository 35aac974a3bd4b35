"""Done-when 6: 5 failures lock for 1 min, then 2, 4... up to 60; unlock clears it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from coproctl.clock import as_utc, now
from coproctl.errors import Refused
from coproctl.models import Account
from coproctl.services.common import get_account
from coproctl.services.owners.accounts import unlock_account
from coproctl.services.procedures.authentication import login
from tests.integration.conftest import Owners


def fail(owners: Owners, password: str = "Wrong-Pass99") -> str:
    with pytest.raises(Refused) as caught:
        login(owners.office, "ID001", password)
    return caught.value.code


def stored(owners: Owners) -> Account:
    with owners.office.uow() as uow:
        return get_account(uow.session, "ID001")


def test_lock_schedule_doubles_up_to_an_hour(owners: Owners) -> None:
    owners.account()
    with freeze_time(now()) as frozen:
        for _ in range(4):
            assert fail(owners) == "bad_credentials"
            assert stored(owners).locked_until is None
        expected_minutes = [1, 2, 4, 8, 16, 32, 60, 60]
        for minutes in expected_minutes:
            assert fail(owners) == "bad_credentials"
            account = stored(owners)
            assert account.locked_until is not None
            assert as_utc(account.locked_until) - now() == timedelta(minutes=minutes)
            # while locked: refused without the password being checked, so neither the
            # right password opens it nor a wrong one counts
            assert fail(owners, "Initial-Aa11") == "account_locked"
            assert fail(owners) == "account_locked"
            assert stored(owners).failed_logins == account.failed_logins
            frozen.tick(timedelta(minutes=minutes, seconds=1))
        assert login(owners.office, "ID001", "Initial-Aa11").status == "pending"
        assert stored(owners).failed_logins == 0


def test_lock_ends_exactly_when_announced(owners: Owners) -> None:
    owners.account()
    with freeze_time(now()) as frozen:
        for _ in range(5):
            fail(owners)
        frozen.tick(timedelta(minutes=1) - timedelta(seconds=1))
        assert fail(owners, "Initial-Aa11") == "account_locked"
        frozen.tick(timedelta(seconds=1))
        assert login(owners.office, "ID001", "Initial-Aa11").next_step == "update required"


def test_unlock_clears_lock_and_counter(owners: Owners) -> None:
    owners.account()
    for _ in range(5):
        fail(owners)
    assert fail(owners, "Initial-Aa11") == "account_locked"
    unlock_account(owners.office, "ID001")
    account = stored(owners)
    assert account.locked_until is None
    assert account.failed_logins == 0
    assert login(owners.office, "ID001", "Initial-Aa11").status == "pending"


def test_unknown_identifiant_answers_like_a_wrong_password(owners: Owners) -> None:
    owners.account()
    with pytest.raises(Refused) as unknown:
        login(owners.office, "NOBODY", "Initial-Aa11")
    with pytest.raises(Refused) as wrong:
        login(owners.office, "ID001", "Wrong-Pass99")
    assert unknown.value.code == wrong.value.code == "bad_credentials"
    assert unknown.value.message == wrong.value.message
