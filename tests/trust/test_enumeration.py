"""Issue 13, items 1 and 2: the defences against account enumeration, seen working.

1. ``password forgot`` keeps a real time floor: the four cases (match, wrong e-mail,
   unknown identifiant, pending account) each take at least the floor, and the same time.
2. An unknown identifiant spends the hash check a known one does: the real argon2id
   verification runs once for each (a spy wraps it; nothing is mocked).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from coproctl.errors import Refused
from tests.trust.conftest import Procedures

FLOOR_MS = 250
RUNS = 5
# Tolerance between the cases' medians. Every case does its work (a few database statements,
# an HMAC, for a match one code and one queued mail: well under the floor, checked below)
# and then sleeps until the floor; what is left is time.sleep's overshoot and the scheduling
# of a 2-core machine shared with other jobs, a few milliseconds usually. 40 ms is an
# eighth of what a match used to cost without the floor on this machine (SMTP aside), and
# far below the 250 ms a missing floor would show.
TOLERANCE_MS = 40


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def test_forgot_password_takes_the_floor_in_every_case(procedures: Procedures) -> None:
    from coproctl.services.procedures.forgotten import forgot_password

    procedures.account("ACT001")
    procedures.update("ACT001", "marie@example.com")
    procedures.account("PEN001", owner_ref="C0002", last_name="Durand")
    office = procedures.office
    # every match sends a code: no cooldown, room for every run in the hourly cap
    office.settings = replace(office.settings, code_resend_cooldown_seconds=0, code_max_per_hour=20)
    cases = {
        "match": ("ACT001", "marie@example.com"),
        "wrong_email": ("ACT001", "autre@example.com"),
        "unknown": ("NOPE01", "marie@example.com"),
        "pending": ("PEN001", "marie@example.com"),
    }
    reasons = {name: forgot_password(office, *args).staff_note.code for name, args in cases.items()}
    assert reasons == {
        "match": "code_sent",
        "wrong_email": "email_mismatch",
        "unknown": "unknown_identifiant",
        "pending": "account_pending",
    }

    def medians(floor_ms: int) -> dict[str, float]:
        office.settings = replace(office.settings, enumeration_floor_ms=floor_ms)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(RUNS):  # interleaved, so that a slow moment hits every case
            for name, args in cases.items():
                times[name].append(timed(lambda args=args: forgot_password(office, *args)))
        return {name: statistics.median(values) for name, values in times.items()}

    work = medians(0)
    assert max(work.values()) < FLOOR_MS * 0.8, work  # the floor can hide the work
    padded = medians(FLOOR_MS)
    assert min(padded.values()) >= FLOOR_MS, padded
    assert max(padded.values()) - min(padded.values()) < TOLERANCE_MS, padded


def test_an_unknown_identifiant_spends_the_hash_check_of_a_known_one(
    procedures: Procedures, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argon2.low_level

    real = argon2.low_level.verify_secret
    calls: list[bytes] = []

    def spy(hash: bytes, secret: bytes, type: Any) -> bool:
        calls.append(hash)
        return real(hash, secret, type)

    procedures.account("ID001")  # its initial password is hashed with argon2id
    monkeypatch.setattr(argon2.low_level, "verify_secret", spy)

    def argon2_checks(identifiant: str) -> int:
        calls.clear()
        with pytest.raises(Refused) as caught:
            procedures.login(identifiant, "Pas-Le-Bon-7")
        assert caught.value.code == "bad_credentials"
        return len(calls)

    known = argon2_checks("ID001")
    unknown = argon2_checks("NOPE01")
    assert known >= 1
    assert unknown == known
