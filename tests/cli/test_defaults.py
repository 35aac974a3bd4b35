"""With no settings at all: SQLite, key and mails in the application folder, files 0600."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.conftest import read_mails


@pytest.fixture
def no_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    import os

    for name in list(os.environ):
        if name.startswith("COPROCTL_"):
            monkeypatch.delenv(name)
    home = tmp_path / "app"
    monkeypatch.setenv("COPROCTL_HOME", str(home))
    monkeypatch.setenv("COPROCTL_ENUMERATION_FLOOR_MS", "0")
    return home


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_fresh_install_works_in_the_app_folder(no_settings: Path) -> None:
    cli = Cli(no_settings / "mail")
    assert cli("account", "list").exit_code == 2  # not initialised yet
    run = cli.json("init")
    assert run.exit_code == 0, run.output
    assert mode(no_settings / "coproctl.db") == 0o600
    assert mode(no_settings / "secret.key") == 0o600
    assert run.data["mail_transport"] == f"file:{no_settings / 'mail'}"

    created = cli(
        "account",
        "create",
        "A1",
        "--owner-ref",
        "R1",
        "--last-name",
        "Dupré",
        "--password-stdin",
        input="Initial-Aa11\n",
    )
    assert created.exit_code == 0, created.output
    started = cli(
        "update",
        "start",
        "A1",
        "--email",
        "a@example.com",
        "--confirm-email",
        "a@example.com",
        "--password-stdin",
        input="Initial-Aa11\n",
    )
    assert started.exit_code == 0, started.output
    mails = read_mails(no_settings / "mail")
    assert [m["X-Coproctl-Kind"] for m in mails] == ["update_code"]
    # the code is asked for when not given on the command line
    verified = cli("code", "verify", "A1", input=cli.code() + "\n")
    assert verified.exit_code == 0, verified.output
    # a second init keeps the key and the data
    key = (no_settings / "secret.key").read_text()
    assert cli("init").exit_code == 0
    assert (no_settings / "secret.key").read_text() == key
    assert cli.json("account", "show", "A1").data["identifiant"] == "A1"


def test_console_transport_prints_on_stderr_and_keeps_json_clean(
    no_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_MAIL_TRANSPORT", "console")
    cli = Cli(no_settings / "unused")
    cli("init")
    cli(
        "account",
        "create",
        "A1",
        "--owner-ref",
        "R1",
        "--last-name",
        "Dupré",
        "--password-stdin",
        input="Initial-Aa11\n",
    )
    run = cli.json(
        "update",
        "start",
        "A1",
        "--email",
        "a@example.com",
        "--confirm-email",
        "a@example.com",
        "--password-stdin",
        input="Initial-Aa11\n",
    )
    assert run.exit_code == 0
    assert run.data["to"] == "a@example.com"
    assert "Subject:" in run.stderr
    assert "X-Coproctl-Kind: update_code" in run.stderr


def test_short_secret_key_is_refused(no_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPROCTL_SECRET_KEY", "too-short")
    run = Cli(no_settings / "mail").json("init")
    assert run.exit_code == 2
    assert run.data["error"]["code"] == "bad_setting"
