"""Done-when 5: e-mail change and password change from the settings."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.cli.test_forgotten_password import ADDRESS, active_owner
from tests.cli.test_update_procedure import NEW

NEWER = "Sable-Falaise-Hibou8"


def test_email_change_code_goes_to_the_new_address_notice_to_the_old(cli: Cli) -> None:
    active_owner(cli)
    new_address = "marie.nouvelle@example.com"
    wrong = cli.json(
        "email",
        "change",
        "LEF001",
        "--email",
        new_address,
        "--confirm-email",
        new_address,
        "--password-stdin",
        input="Wrong-Pass99\n",
    )
    assert wrong.data["error"]["code"] == "bad_credentials"
    run = cli(
        "email",
        "change",
        "LEF001",
        "--email",
        new_address,
        "--confirm-email",
        new_address,
        "--password-stdin",
        input=NEW + "\n",
    )
    assert run.exit_code == 0, run.output
    code_mail = [m for m in cli.mails() if m["X-Coproctl-Kind"] == "email_change_code"]
    assert [m["To"].addresses[0].addr_spec for m in code_mail] == [new_address]
    # nothing switched yet
    assert cli.json("account", "show", "LEF001").data["email"] == ADDRESS

    assert cli("code", "verify", "LEF001", cli.code(to=new_address)).exit_code == 0
    shown = cli.json("account", "show", "LEF001").data
    assert shown["email"] == new_address
    assert shown["email_verified"] is True
    notices = [m for m in cli.mails() if m["X-Coproctl-Kind"] == "email_changed"]
    assert [m["To"].addresses[0].addr_spec for m in notices] == [ADDRESS]


def test_password_change_needs_the_current_password_and_sends_a_notice(cli: Cli) -> None:
    active_owner(cli)
    before = len([m for m in cli.mails() if m["X-Coproctl-Kind"] == "password_changed"])
    wrong = cli.json(
        "password",
        "change",
        "LEF001",
        "--noted",
        "--password-stdin",
        input=f"Wrong-Pass99\n{NEWER}\n{NEWER}\n",
    )
    assert wrong.exit_code == 1
    assert wrong.data["error"]["code"] == "bad_credentials"
    same = cli.json(
        "password",
        "change",
        "LEF001",
        "--noted",
        "--password-stdin",
        input=f"{NEW}\n{NEW}\n{NEW}\n",
    )
    assert same.data["error"]["code"] == "password_policy"
    assert "same_as_current" in same.data["error"]["details"]["rules"]
    unnoted = cli.json(
        "password", "change", "LEF001", "--password-stdin", input=f"{NEW}\n{NEWER}\n{NEWER}\n"
    )
    assert unnoted.data["error"]["code"] == "noted_required"
    done = cli(
        "password",
        "change",
        "LEF001",
        "--noted",
        "--password-stdin",
        input=f"{NEW}\n{NEWER}\n{NEWER}\n",
    )
    assert done.exit_code == 0, done.output
    assert cli("login", "LEF001", "--password-stdin", input=NEWER + "\n").exit_code == 0
    notices = [m for m in cli.mails() if m["X-Coproctl-Kind"] == "password_changed"]
    assert len(notices) == before + 1
    assert notices[-1]["To"].addresses[0].addr_spec == ADDRESS


def test_staff_reset_sends_a_notice_and_shows_the_password_once(cli: Cli) -> None:
    active_owner(cli)
    run = cli.json("account", "reset", "LEF001", "--yes")
    assert run.exit_code == 0
    initial = run.data["initial_password"]
    assert run.data["status"] == "pending"
    notices = [m for m in cli.mails() if m["X-Coproctl-Kind"] == "account_reset"]
    assert len(notices) == 1
    assert initial not in notices[0].as_string()
    assert initial not in cli.json("account", "show", "LEF001").stdout
    login = cli.json("login", "LEF001", "--password-stdin", input=initial + "\n")
    assert login.data["next_step"] == "update required"
