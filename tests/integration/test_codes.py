"""Done-when 2: validity boundaries, tries, resend limits, superseding, no code in clear."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import inspect, text

from coproctl.clock import now
from coproctl.errors import Refused
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


def test_resend_cooldown_hourly_cap_and_superseding(owners: Owners) -> None:
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
        if first != latest:
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
