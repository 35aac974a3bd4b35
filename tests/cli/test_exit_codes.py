"""Done-when 9: exit 0/1/2 and a clear message, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.cli.test_update_procedure import make_owner_with_two_accounts


def test_uninitialised_database_is_exit_2(bare_cli: Cli) -> None:
    for args in (("account", "list"), ("login", "X", "--password-stdin")):
        run = bare_cli.json(*args, input="x\n")
        assert run.exit_code == 2
        assert run.data["error"]["code"] == "not_initialised"
    human = bare_cli("account", "show", "X")
    assert human.exit_code == 2
    assert "coproctl init" in human.stderr


def test_init_then_commands_work(bare_cli: Cli) -> None:
    first = bare_cli.json("init")
    assert first.exit_code == 0
    assert first.data["revision_before"] is None
    again = bare_cli.json("init")
    assert again.data["revision_before"] == again.data["revision_after"]
    assert bare_cli.json("account", "list").data == []


@pytest.mark.parametrize(
    ("args", "stdin", "code", "status"),
    [
        (("account", "show", "NOBODY"), None, "not_found", 1),
        (("code", "verify", "NOBODY", "12345678"), None, "not_found", 1),
        (("login", "NOBODY", "--password-stdin"), "Whatever-1\n", "bad_credentials", 1),
        (("login", "LEF001", "--password-stdin"), "", "missing_secret", 2),
        (("code", "verify", "LEF001", "12345678"), None, "wrong_state", 1),
        (("code", "resend", "LEF001"), None, "wrong_state", 1),
        (("password", "set", "LEF001", "--password-stdin"), "a\nb\n", "wrong_state", 1),
        (("password", "forgot", "LEF001", "--email", "x@example.com"), None, None, 0),
        (("account", "list", "--status", "bogus"), None, "bad_status", 2),
        (
            (
                "account",
                "create",
                "LEF001",
                "--owner-ref",
                "C0042",
                "--last-name",
                "Lefèvre",
                "--generate-password",
            ),
            None,
            "already_exists",
            1,
        ),
        (("account", "enable", "LEF001"), None, "wrong_state", 1),
        (("account", "link", "LEF001", "--owner-ref", "NOPE"), None, "not_found", 1),
    ],
)
def test_expected_conditions(
    cli: Cli, args: tuple[str, ...], stdin: str | None, code: str | None, status: int
) -> None:
    make_owner_with_two_accounts(cli)
    run = cli.json(*args, input=stdin)
    assert run.exit_code == status, run.output
    if code is not None:
        assert run.data["error"]["code"] == code
        human = cli(*args, input=stdin)
        assert human.exit_code == status
        assert human.stderr.startswith(f"Erreur ({code})\u00a0: ")


def test_usage_errors_are_exit_2(cli: Cli) -> None:
    assert cli("account", "show").exit_code == 2
    assert cli("update", "start", "X").exit_code == 2
    assert cli("no-such-command").exit_code == 2


def test_bad_settings_are_exit_2(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml")
    assert cli.json("--config", str(bad), "account", "list").data["error"]["code"] == "bad_config"
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('no_such_setting = "x"\n')
    run = cli.json("--config", str(unknown), "account", "list")
    assert run.exit_code == 2
    assert "no_such_setting" in run.data["error"]["message"]
    missing = cli.json("--config", str(tmp_path / "missing.toml"), "account", "list")
    assert missing.exit_code == 2
    assert cli.json("--db", "nonsense://", "account", "list").exit_code == 2
    monkeypatch.setenv("COPROCTL_SMTP_PORT", "not-a-number")
    assert cli.json("account", "list").data["error"]["code"] == "bad_setting"


def test_settings_precedence_file_then_environment(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coproctl.config import load_settings

    config = tmp_path / "coproctl.toml"
    config.write_text("code_ttl_reset_minutes = 12\ncode_max_attempts = 7\n")
    monkeypatch.setenv("COPROCTL_CODE_MAX_ATTEMPTS", "4")
    settings = load_settings(config)
    assert settings.code_ttl_reset_minutes == 12
    assert settings.code_max_attempts == 4
    assert load_settings(config, database_url="sqlite:///x.db").database_url == "sqlite:///x.db"
