"""The hash check of a login runs while the login holds no database lock.

On SQLite every transaction holds the database's write lock from its first statement: a
login that checked its argon2id hash inside its transaction queued every other writer
(other logins, the owners' pages' sessions and rate counts) behind each hash, which capped
the pages' logins far below the argon2 limit (``bench/web.py``). Here a login is held in
the middle of its hash check (the real check, wrapped to wait for the test) while another
connection writes with a short busy timeout: the write must go through. A login checking
inside its transaction makes that write fail with "database is locked".

The decision is still taken under the lock, on the account as it is then: a password set
between the two reads is checked again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from coproctl.db import make_engine
from coproctl.security import passwords
from tests.trust.conftest import Procedures

PASSWORD = "Initial-Aa11"


@pytest.fixture
def held_verify(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[threading.Event, threading.Event]]:
    """``passwords.verify`` that signals when it starts and waits to be released."""
    started, release = threading.Event(), threading.Event()
    real = passwords.verify

    def verify(password: str, stored: str) -> tuple[bool, str | None]:
        started.set()
        assert release.wait(30), "the test never released the hash check"
        return real(password, stored)

    monkeypatch.setattr(passwords, "verify", verify)
    yield started, release
    release.set()


def test_other_writers_go_on_while_a_login_checks_its_hash(
    procedures: Procedures, db_url: str, held_verify: tuple[threading.Event, threading.Event]
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL locks the account's row, not the database")
    from coproctl.services.procedures.authentication import login

    procedures.account("LOCK01", PASSWORD)
    started, release = held_verify
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = login(procedures.office, "LOCK01", PASSWORD)
        except Exception as exc:  # reported below
            outcome["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert started.wait(30)
        other = make_engine(db_url, busy_timeout_ms=300)
        try:
            with other.begin() as conn:  # fails with "database is locked" if the login holds it
                conn.execute(text("UPDATE owner SET city = 'Lyon' WHERE owner_ref = 'C0001'"))
        finally:
            other.dispose()
    finally:
        release.set()
        worker.join(30)
    assert "error" not in outcome, outcome
    assert outcome["result"].next_step == "update required"


def test_a_password_changed_between_the_reads_is_checked_again(
    procedures: Procedures, db_url: str, held_verify: tuple[threading.Event, threading.Event]
) -> None:
    """The hash read before the check is not trusted once the lock is taken: a staff reset
    in between makes the old password fail, as it would have a moment later."""
    from coproctl.errors import Refused
    from coproctl.services.owners.accounts import reset_account
    from coproctl.services.procedures.authentication import login

    procedures.account("LOCK02", PASSWORD)
    started, release = held_verify
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = login(procedures.office, "LOCK02", PASSWORD)
        except Refused as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert started.wait(30)
        started.clear()
        reset_account(procedures.office, "LOCK02")  # a new initial password, while the check waits
    finally:
        release.set()
        worker.join(30)
    assert outcome["error"].code == "bad_credentials"
