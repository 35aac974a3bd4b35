"""``account enable`` clears what the tries made while the account was disabled left: the
failed-login counter and a lock they caused (a disabled account counts every try, right or
wrong, so that its lock tells no password). A lock staff set stays. On both engines."""

from __future__ import annotations

from typing import Any

from tests.cli.conftest import Cli

INITIAL = "Initial-Vq1177"


def _pending_account(cli: Cli) -> None:
    run = cli(
        "account", "create", "LEF001", "--owner-ref", "C0001", "--last-name", "Lefèvre",
        "--password-stdin", input=INITIAL + "\n",
    )  # fmt: skip
    assert run.exit_code == 0, run.output


def _login(cli: Cli, password: str) -> Any:
    return cli.json("login", "LEF001", "--password-stdin", input=password + "\n")


def _show(cli: Cli) -> dict[str, Any]:
    run = cli.json("account", "show", "LEF001")
    assert run.exit_code == 0, run.output
    return run.data


def _enable_event(cli: Cli) -> dict[str, Any]:
    events = cli.json("audit", "list", "--account", "LEF001", "--action", "account.enable").data
    assert len(events) == 1
    assert events[0]["actor"] == "test-staff"
    return events[0]["details"]


def test_enable_clears_the_tries_made_while_disabled_and_their_lock(cli: Cli) -> None:
    _pending_account(cli)
    assert cli("account", "disable", "LEF001").exit_code == 0
    answers = [_login(cli, password) for password in ("Faux-1-Aa", INITIAL, "Faux-2-Aa") * 2]
    assert answers[-1].data["error"]["code"] == "account_locked"  # the 5th try locked it
    shown = _show(cli)
    assert (shown["failed_logins"], shown["lock_reason"]) == (5, "failed_logins")

    run = cli.json("account", "enable", "LEF001")
    assert run.exit_code == 0, run.output
    assert (run.data["status"], run.data["failed_logins"], run.data["locked_until"]) == (
        "pending",
        0,
        None,
    )
    assert _enable_event(cli) == {
        "status": "pending",
        "failed_logins_cleared": 5,
        "lock_cleared": True,
    }
    login = _login(cli, INITIAL)  # at once: no lock, no count left from before
    assert login.exit_code == 0, login.output
    # and a wrong try afterwards starts from zero: four more do not lock
    for _ in range(4):
        assert _login(cli, "Faux-3-Aa").data["error"]["code"] == "bad_credentials"
    assert _show(cli)["failed_logins"] == 4


def test_enable_keeps_a_staff_lock(cli: Cli) -> None:
    _pending_account(cli)
    assert cli("account", "disable", "LEF001").exit_code == 0
    for password in ("Faux-1-Aa", INITIAL):
        assert _login(cli, password).data["error"]["code"] == "account_disabled"
    assert cli("account", "lock", "LEF001", "--minutes", "30").exit_code == 0

    run = cli.json("account", "enable", "LEF001")
    assert run.exit_code == 0, run.output
    assert (run.data["failed_logins"], run.data["lock_reason"]) == (0, "staff")
    assert _enable_event(cli) == {
        "status": "pending",
        "failed_logins_cleared": 2,
        "lock_cleared": False,
        "staff_lock_kept": True,
    }
    assert _login(cli, INITIAL).data["error"]["code"] == "account_locked"
    assert cli("account", "unlock", "LEF001").exit_code == 0
    assert _login(cli, INITIAL).exit_code == 0
