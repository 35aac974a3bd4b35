"""Done-when 4: the forgotten-password answer tells nothing; --noted; the lock is cleared."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.cli.test_update_procedure import NEW, make_owner_with_two_accounts, update_until_code

ADDRESS = "marie.lefevre@example.com"
RESET_PW = "Ciel-Orage-Menthe4"


def active_owner(cli: Cli) -> None:
    make_owner_with_two_accounts(cli)
    update_until_code(cli)
    assert (
        cli(
            "password",
            "set",
            "LEF001",
            "--this-account-only",
            "--password-stdin",
            input=f"{NEW}\n{NEW}\n",
        ).exit_code
        == 0
    )


def test_every_case_gives_the_same_answer(cli: Cli) -> None:
    active_owner(cli)
    cases = {
        "match": ("LEF001", ADDRESS),
        "wrong e-mail": ("LEF001", "someone.else@example.com"),
        "unknown identifiant": ("NOBODY", ADDRESS),
        "pending account": ("LEF002", ADDRESS),
    }
    for json_mode in (False, True):
        answers = {}
        for name, (identifiant, address) in cases.items():
            args = ("password", "forgot", identifiant, "--email", address)
            run = cli.json(*args) if json_mode else cli(*args)
            # the owner's answer; staff get one more line (stderr, --json staff_note)
            owner_part = run.data["message"] if json_mode else run.stdout
            answers[name] = (run.exit_code, owner_part)
        assert len(set(answers.values())) == 1, answers
        assert answers["match"][0] == 0
    # only the match sent anything, and the audit trail says why the others did not
    reset_mails = [m for m in cli.mails() if m["X-Coproctl-Kind"] == "reset_code"]
    assert len(reset_mails) == 1
    events = cli.json("audit", "list", "--action", "password.forgot").data
    reasons = {event["details"].get("reason") for event in events}
    assert {"email_mismatch", "unknown_identifiant", "account_pending"} <= reasons
    shown = cli.json("account", "show", "LEF002").data
    assert any(e["details"].get("reason") == "account_pending" for e in shown["recent_events"])


def test_reset_requires_noted_and_clears_the_lock(cli: Cli) -> None:
    active_owner(cli)
    for _ in range(5):
        cli("login", "LEF001", "--password-stdin", input="Wrong-Pass99\n")
    locked = cli.json("login", "LEF001", "--password-stdin", input=NEW + "\n")
    assert locked.data["error"]["code"] == "account_locked"

    assert cli("password", "forgot", "LEF001", "--email", ADDRESS).exit_code == 0
    assert cli("code", "verify", "LEF001", cli.code(to=ADDRESS)).exit_code == 0
    without = cli.json(
        "password", "set", "LEF001", "--password-stdin", input=f"{RESET_PW}\n{RESET_PW}\n"
    )
    assert without.exit_code == 1
    assert without.data["error"]["code"] == "noted_required"
    done = cli(
        "password",
        "set",
        "LEF001",
        "--noted",
        "--password-stdin",
        input=f"{RESET_PW}\n{RESET_PW}\n",
    )
    assert done.exit_code == 0, done.output

    shown = cli.json("account", "show", "LEF001").data
    assert shown["locked_until"] is None
    assert shown["failed_logins"] == 0
    assert cli("login", "LEF001", "--password-stdin", input=RESET_PW + "\n").exit_code == 0
    # a reset applies to that account only
    assert cli("login", "LEF002", "--password-stdin", input=RESET_PW + "\n").exit_code == 1
    kinds = [m["X-Coproctl-Kind"] for m in cli.mails()]
    # after the update (the activation mail), after the reset
    assert (kinds.count("account_activated"), kinds.count("password_changed")) == (1, 1)
