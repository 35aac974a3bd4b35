"""Issue 9, items 19 and 20: security settings are range-checked when they are loaded, with
a French message naming the setting; a lockout that lets more than 100 wrong passwords a
hour through one account is refused (OWASP ASVS 4.0.3, 2.2.1)."""

from __future__ import annotations

import pytest

from coproctl.config import SECURITY_RANGES, failed_logins_per_hour, load_settings
from coproctl.errors import BadInput
from tests.cli.conftest import Cli


def load(**values: object) -> object:
    environ = {f"COPROCTL_{name.upper()}": str(value) for name, value in values.items()}
    return load_settings(environ=environ)


@pytest.mark.parametrize("name", sorted(SECURITY_RANGES))
def test_each_security_setting_is_range_checked(name: str) -> None:
    lowest, highest = SECURITY_RANGES[name]
    for outside in (lowest - 1, highest + 1):
        with pytest.raises(BadInput) as caught:
            load(**{name: outside})
        assert caught.value.code == "bad_setting"
        assert name.upper() in caught.value.message
        assert "hors limites" in caught.value.message
    for inside in (lowest, highest):
        if name == "lockout_max_seconds" and inside < 60:
            continue  # below the base lock (60 s by default): refused on its own, see below
        if name == "lockout_base_seconds" and inside > 3600:
            continue
        assert getattr(load(**{name: inside}), name) == inside


def test_defaults_pass_and_tests_may_switch_the_floor_off() -> None:
    settings = load()
    assert settings.initial_password_days == 365  # type: ignore[attr-defined]
    assert load(enumeration_floor_ms=0).enumeration_floor_ms == 0  # type: ignore[attr-defined]


def test_ceiling_below_the_base_lock_is_refused() -> None:
    with pytest.raises(BadInput) as caught:
        load(lockout_base_seconds=600, lockout_max_seconds=300)
    assert "LOCKOUT_MAX_SECONDS" in caught.value.message


def test_a_lockout_letting_more_than_100_tries_a_hour_is_refused() -> None:
    assert failed_logins_per_hour(load()) == 10  # type: ignore[arg-type]
    with pytest.raises(BadInput) as caught:
        load(lockout_threshold=20, lockout_base_seconds=1, lockout_max_seconds=1)
    assert "100 au plus" in caught.value.message
    assert "essais par heure" in caught.value.message
    # the same threshold with a ceiling of a minute is fine (84 tries a hour)
    load(lockout_threshold=20, lockout_base_seconds=1, lockout_max_seconds=60)


def test_the_cli_refuses_a_bad_security_setting_with_exit_2(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_CODE_MAX_ATTEMPTS", "0")
    run = cli.json("login", "ID001", "--password-stdin", input="x\n")
    assert run.exit_code == 2
    assert run.data["error"]["code"] == "bad_setting"
    assert "CODE_MAX_ATTEMPTS" in run.data["error"]["message"]
