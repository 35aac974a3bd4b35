"""SPEC §6 under real concurrency: separate processes on one database, both engines.

Each worker is a forked process with its own engine; all wait at a barrier and then call
the same service at once, so the database (row locks on PostgreSQL, BEGIN IMMEDIATE on
SQLite, conditional UPDATEs on both) is what keeps the rules.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from coproctl.clock import as_utc, now
from coproctl.config import Settings, replace
from coproctl.errors import CoproctlError
from coproctl.services.common import get_account
from tests.integration.conftest import Owners

FORK = multiprocessing.get_context("fork")


def _worker(
    settings: Settings, barrier: Any, results: Any, call: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    from coproctl.services.office import open_backoffice

    try:
        with open_backoffice(settings, "worker") as office:
            barrier.wait(timeout=30)
            call(office, *args)
            results.put("ok")
    except CoproctlError as error:
        results.put(error.code)
    except BaseException as error:  # reported, so the test shows it
        results.put(f"crash: {error!r}")


def run_at_once(
    owners: Owners,
    count: int,
    call: Callable[..., Any],
    *args: Any,
    settings: Settings | None = None,
) -> Counter[str]:
    owners.office.deliver_pending()
    owners.office.engine.dispose()  # no inherited connection is ever used by a child
    barrier = FORK.Barrier(count)
    results = FORK.Queue()
    procs = [
        FORK.Process(
            target=_worker, args=(settings or owners.office.settings, barrier, results, call, args)
        )
        for _ in range(count)
    ]
    for proc in procs:
        proc.start()
    outcomes = Counter(results.get(timeout=60) for _ in procs)
    for proc in procs:
        proc.join(timeout=30)
    return outcomes


def _account(owners: Owners) -> Any:
    with owners.office.uow() as uow:
        return get_account(uow.session, "ID001")


def _code_row(owners: Owners) -> Any:
    from coproctl.services.procedures.codes import in_flight

    with owners.office.uow() as uow:
        return in_flight(uow.session, _account(owners).id)


def test_same_valid_code_from_eight_processes_wins_once(owners: Owners) -> None:
    from coproctl.services.procedures.codes import verify_code

    owners.account()
    owners.start_update()
    code = owners.code()
    outcomes = run_at_once(owners, 8, verify_code, "ID001", code)
    assert outcomes == Counter({"ok": 1, "code_used": 7})


def test_wrong_codes_from_eight_processes_count_exactly_five_tries(owners: Owners) -> None:
    from coproctl.services.procedures.codes import verify_code

    owners.account()
    owners.start_update()
    code = owners.code()
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    outcomes = run_at_once(owners, 8, verify_code, "ID001", wrong)
    assert outcomes == Counter({"code_invalid": 4, "code_attempts_exhausted": 4})
    assert _code_row(owners).attempts == 5


def test_ten_failed_logins_at_once_follow_the_lock_schedule(owners: Owners) -> None:
    from coproctl.services.procedures.authentication import login

    owners.account()
    before = now()
    outcomes = run_at_once(owners, 10, login, "ID001", "Wrong-Pass99")
    assert outcomes == Counter({"bad_credentials": 5, "account_locked": 5})
    account = _account(owners)
    assert account.failed_logins == 5
    locked_for = as_utc(account.locked_until) - before
    assert timedelta(minutes=1) <= locked_for < timedelta(minutes=1, seconds=30)


def test_five_resends_at_once_respect_the_cooldown(owners: Owners) -> None:
    from coproctl.services.procedures.codes import resend_code

    owners.account()
    owners.start_update()
    outcomes = run_at_once(owners, 5, resend_code, "ID001")
    # the first code was sent less than 60 s ago: nobody may resend
    assert outcomes == Counter({"resend_too_soon": 5})


def test_resends_at_once_respect_the_hourly_cap(owners: Owners) -> None:
    from sqlmodel import func, select

    from coproctl.models import VerificationCode
    from coproctl.services.procedures.codes import resend_code

    owners.account()
    owners.start_update()
    no_cooldown = replace(owners.office.settings, code_resend_cooldown_seconds=0)
    outcomes = run_at_once(owners, 8, resend_code, "ID001", settings=no_cooldown)
    assert outcomes == Counter({"ok": 4, "resend_limit": 4})
    with owners.office.uow() as uow:
        issued = uow.session.exec(select(func.count()).select_from(VerificationCode)).one()
    assert issued == 5


@pytest.mark.parametrize("engine_kind", ["sqlite"])
def test_sqlite_lock_held_past_the_timeout_is_a_clear_refusal(
    owners: Owners, engine_kind: str, db_url: str
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL has row locks, not a database lock")
    import sqlite3

    from coproctl.services.office import open_backoffice
    from coproctl.services.owners.accounts import lock_account

    owners.account()
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        impatient = replace(owners.office.settings, database_busy_timeout_ms=200)
        with pytest.raises(CoproctlError) as caught, open_backoffice(impatient, "t") as office:
            lock_account(office, "ID001")
        assert caught.value.code == "database_busy"
        assert caught.value.exit_code == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
