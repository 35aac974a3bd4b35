"""Done-when 2: validity boundaries, tries, resend limits, superseding, no code in clear."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import inspect, text

from coproctl.clock import now
from coproctl.errors import BadInput, Refused
from coproctl.security import codes as code_crypto
from coproctl.services.procedures.codes import resend_code
from tests.integration.conftest import Owners


def refusal(call: Any, *args: Any) -> str:
    with pytest.raises(Refused) as caught:
        call(*args)
    return caught.value.code


def test_update_code_valid_at_exactly_30_minutes(owners: Owners) -> None:
    owners.account()
    with freeze_time(now()) as frozen:
        owners.start_update()
        code = owners.code()
        frozen.tick(timedelta(minutes=30))
        assert owners.verify("ID001", code).purpose == "update"


def test_update_code_refused_one_second_after_30_minutes(owners: Owners) -> None:
    owners.account()
    with freeze_time(now()) as frozen:
        owners.start_update()
        code = owners.code()
        frozen.tick(timedelta(minutes=30, seconds=1))
        assert refusal(owners.verify, "ID001", code) == "code_expired"


def test_reset_code_lives_ten_minutes(owners: Owners) -> None:
    from coproctl.services.procedures.forgotten import forgot_password

    owners.account()
    owners.activate()
    start = now()
    cases = ((2, timedelta(0), None), (4, timedelta(seconds=1), "code_expired"))
    for hours, extra, expected in cases:
        with freeze_time(start + timedelta(hours=hours)) as frozen:
            forgot_password(owners.office, "ID001", "marie@example.com")
            code = owners.code()
            frozen.tick(timedelta(minutes=10) + extra)
            if expected is None:
                assert owners.verify("ID001", code).purpose == "reset"
            else:
                assert refusal(owners.verify, "ID001", code) == expected


def test_fifth_wrong_try_kills_the_code(owners: Owners) -> None:
    owners.account()
    owners.start_update()
    code = owners.code()
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    assert [refusal(owners.verify, "ID001", wrong) for _ in range(4)] == ["code_invalid"] * 4
    assert refusal(owners.verify, "ID001", wrong) == "code_attempts_exhausted"
    # dead for good: even the right code is refused now
    assert refusal(owners.verify, "ID001", code) == "code_attempts_exhausted"


def test_a_code_is_used_once(owners: Owners) -> None:
    owners.account()
    owners.start_update()
    code = owners.code()
    owners.verify("ID001", code)
    assert refusal(owners.verify, "ID001", code) == "code_used"


def distinct_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Codes drawn in turn (10000001, 10000002...), so that no two are ever equal."""
    drawn = iter(range(10_000_001, 10_000_100))
    monkeypatch.setattr(code_crypto.secrets, "randbelow", lambda _: next(drawn))


def test_resend_cooldown_hourly_cap_and_superseding(
    owners: Owners, monkeypatch: pytest.MonkeyPatch
) -> None:
    distinct_codes(monkeypatch)
    owners.account()
    with freeze_time(now()) as frozen:
        owners.start_update()
        first = owners.code()
        assert refusal(resend_code, owners.office, "ID001") == "resend_too_soon"
        frozen.tick(timedelta(seconds=59))
        assert refusal(resend_code, owners.office, "ID001") == "resend_too_soon"
        frozen.tick(timedelta(seconds=1))
        resend_code(owners.office, "ID001")
        for _ in range(3):  # codes 3, 4 and 5 of the hour
            frozen.tick(timedelta(seconds=60))
            resend_code(owners.office, "ID001")
        frozen.tick(timedelta(seconds=60))
        with pytest.raises(Refused) as caught:
            resend_code(owners.office, "ID001")
        assert caught.value.code == "resend_limit"
        assert "next_at" in caught.value.details
        latest = owners.code()
        assert first != latest
        assert refusal(owners.verify, "ID001", first) == "code_superseded"
        # an hour after the first code, a sixth one may go
        frozen.tick(timedelta(minutes=56))
        resend_code(owners.office, "ID001")
        assert owners.verify("ID001", owners.code()).purpose == "update"


def test_no_code_in_clear_anywhere_once_delivered(owners: Owners) -> None:
    owners.account()
    owners.start_update()
    code = owners.code()
    engine = owners.office.engine
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    assert code not in str(value), f"code in clear in {table}"
    assert code.isdigit()
    assert len(code) == 8


# --- issue 13, items 3 and 4: what binds a code, how it is compared, leading zeros -------


def digest_of(owners: Owners, identifiant: str) -> bytes:
    with owners.office.engine.connect() as conn:
        value = conn.execute(
            text(
                "SELECT c.digest FROM verification_code c JOIN account a ON a.id = c.account_id "
                "WHERE a.identifiant = :i"
            ),
            {"i": identifiant},
        ).scalar_one()
    return bytes(value)


def test_a_code_starting_with_zero_is_kept_whole(
    owners: Owners, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(code_crypto.secrets, "randbelow", lambda _: 1234567)
    owners.account()
    owners.start_update()
    code = owners.code()
    assert code == "01234567"
    with pytest.raises(BadInput) as caught:  # the zero dropped: 7 digits, not a try
        owners.verify("ID001", "1234567")
    assert caught.value.code == "bad_code_format"
    assert owners.verify("ID001", "0123 4567").purpose == "update"


def test_the_digest_binds_account_and_purpose() -> None:
    key = b"k" * 32
    code = "48213307"
    digests = {
        (purpose, account): code_crypto.code_digest(key, purpose, account, code)
        for purpose in ("update", "reset", "email-change")
        for account in (1, 2)
    }
    assert len(set(digests.values())) == 6
    stored = digests[("update", 1)]
    assert code_crypto.matches(key, "update", 1, code, stored)
    assert not code_crypto.matches(key, "update", 2, code, stored)
    assert not code_crypto.matches(key, "reset", 1, code, stored)


def test_a_code_of_one_account_is_refused_on_another_even_when_equal(
    owners: Owners, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A and B are sent the same 8 digits: their stored digests still differ, and A's
    digest put on B's code row does not let that code through on B."""
    monkeypatch.setattr(code_crypto.secrets, "randbelow", lambda _: 48213307)
    owners.account("ID001")
    owners.account("ID002", owner_ref="C0002", last_name="Durand")
    owners.start_update("ID001")
    owners.start_update("ID002", address="durand@example.com")
    digest_a = digest_of(owners, "ID001")
    assert digest_a != digest_of(owners, "ID002")
    with owners.office.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE verification_code SET digest = :d WHERE account_id = "
                "(SELECT id FROM account WHERE identifiant = 'ID002')"
            ),
            {"d": digest_a},
        )
    assert refusal(owners.verify, "ID002", "48213307") == "code_invalid"
    assert owners.verify("ID001", "48213307").purpose == "update"


def test_a_code_row_relabelled_for_another_purpose_does_not_verify(owners: Owners) -> None:
    owners.account()
    owners.start_update()
    code = owners.code()
    with owners.office.engine.begin() as conn:
        conn.execute(text("UPDATE verification_code SET purpose = 'reset'"))
    assert refusal(owners.verify, "ID001", code) == "code_invalid"


def test_codes_are_compared_in_constant_time(
    owners: Owners, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every comparison of a typed code goes through hmac.compare_digest, with the stored
    digest (a spy around the real function)."""
    import hmac

    real = hmac.compare_digest
    seen: list[tuple[bytes, bytes]] = []

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((bytes(a), bytes(b)))
        return real(a, b)

    owners.account()
    owners.start_update()
    code = owners.code()
    stored = digest_of(owners, "ID001")
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert refusal(owners.verify, "ID001", wrong) == "code_invalid"
    assert owners.verify("ID001", code).purpose == "update"
    compared = [pair for pair in seen if stored in pair]
    assert len(compared) >= 2
    assert any(a == b for a, b in compared)  # the right code: equal digests, through the spy
