"""Done-when 1: the update procedure through the CLI only, the code read from the .eml file."""

from __future__ import annotations

from tests.cli.conftest import Cli

NEW = "Brume-Tilleul-Quartz7"


def make_owner_with_two_accounts(cli: Cli) -> None:
    for identifiant, password, copro in (
        ("LEF001", "Initial-Aa11", "Les Tilleuls"),
        ("LEF002", "Initial-Bb22", "Le Clos"),
    ):
        run = cli(
            "account",
            "create",
            identifiant,
            "--owner-ref",
            "C0042",
            "--last-name",
            "Lefèvre",
            "--first-name",
            "Marie",
            "--civility",
            "Mme",
            "--copropriete",
            copro,
            "--password-stdin",
            input=password + "\n",
        )
        assert run.exit_code == 0, run.output


def update_until_code(
    cli: Cli,
    identifiant: str = "LEF001",
    password: str = "Initial-Aa11",
    address: str = "marie.lefevre@example.com",
) -> str:
    run = cli(
        "update",
        "start",
        identifiant,
        "--email",
        address,
        "--confirm-email",
        address.upper(),
        "--password-stdin",
        input=password + "\n",
    )
    assert run.exit_code == 0, run.output
    code = cli.code(to=address)
    run = cli("code", "verify", identifiant, code)
    assert run.exit_code == 0, run.output
    return code


def test_update_applies_to_every_account_of_the_owner(cli: Cli) -> None:
    make_owner_with_two_accounts(cli)
    assert cli("login", "LEF001", "--password-stdin", input="Initial-Aa11\n").exit_code == 0

    update_until_code(cli)
    run = cli.json("password", "set", "lef001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 0, run.output
    assert sorted(run.data["identifiants"]) == ["LEF001", "LEF002"]

    for identifiant in ("LEF001", "LEF002"):
        shown = cli.json("account", "show", identifiant).data
        assert shown["status"] == "active"
        assert shown["email"] == "marie.lefevre@example.com"
        assert shown["email_verified"] is True
        login = cli.json("login", identifiant, "--password-stdin", input=NEW + "\n")
        assert login.exit_code == 0
        assert login.data["next_step"] == "active"

    # the second account's initial password no longer opens it
    refused = cli.json("login", "LEF002", "--password-stdin", input="Initial-Bb22\n")
    assert refused.exit_code == 1
    assert refused.data["error"]["code"] == "bad_credentials"

    # one notice (the activation mail), at the verified address, naming both accounts
    notices = [m for m in cli.mails() if m["X-Coproctl-Kind"] == "account_activated"]
    assert len(notices) == 1
    body = notices[0].get_body(preferencelist=("plain",)).get_content()
    assert "LEF001" in body
    assert "LEF002" in body


def test_this_account_only_leaves_the_sibling_pending(cli: Cli) -> None:
    make_owner_with_two_accounts(cli)
    update_until_code(cli)
    run = cli(
        "password",
        "set",
        "LEF001",
        "--this-account-only",
        "--password-stdin",
        input=f"{NEW}\n{NEW}\n",
    )
    assert run.exit_code == 0, run.output
    assert cli.json("account", "show", "LEF001").data["status"] == "active"
    sibling = cli.json("account", "show", "LEF002").data
    assert sibling["status"] == "pending"
    assert sibling["email_verified"] is False
    assert cli("login", "LEF002", "--password-stdin", input="Initial-Bb22\n").exit_code == 0


def test_password_must_be_set_within_the_window(cli: Cli) -> None:
    from datetime import timedelta

    from freezegun import freeze_time

    from coproctl.clock import now

    make_owner_with_two_accounts(cli)
    start = now()
    with freeze_time(start) as frozen:
        update_until_code(cli)
        frozen.tick(timedelta(minutes=15, seconds=1))
        run = cli.json("password", "set", "LEF001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 1
    assert run.data["error"]["code"] == "procedure_expired"


def test_update_start_refuses_bad_input_clearly(cli: Cli) -> None:
    make_owner_with_two_accounts(cli)
    cases = [
        (
            ("--email", "marie@example.com", "--confirm-email", "marie2@example.com"),
            "email_mismatch",
        ),
        (("--email", "pas-une-adresse", "--confirm-email", "pas-une-adresse"), "email_invalid"),
        (("--email", "marie@gmial.com", "--confirm-email", "marie@gmial.com"), "email_typo"),
    ]
    for options, code in cases:
        run = cli.json(
            "update", "start", "LEF001", *options, "--password-stdin", input="Initial-Aa11\n"
        )
        assert run.exit_code == 1, run.output
        assert run.data["error"]["code"] == code
    typo = cli.json(
        "update",
        "start",
        "LEF001",
        "--email",
        "marie@gmial.com",
        "--confirm-email",
        "marie@gmial.com",
        "--password-stdin",
        input="Initial-Aa11\n",
    )
    assert "marie@gmail.com" in typo.data["error"]["message"]
    accepted = cli(
        "update",
        "start",
        "LEF001",
        "--email",
        "marie@gmial.com",
        "--confirm-email",
        "marie@gmial.com",
        "--accept-domain",
        "--password-stdin",
        input="Initial-Aa11\n",
    )
    assert accepted.exit_code == 0, accepted.output


def test_update_start_needs_the_syndic_password(cli: Cli) -> None:
    make_owner_with_two_accounts(cli)
    run = cli.json(
        "update",
        "start",
        "LEF001",
        "--email",
        "m@example.com",
        "--confirm-email",
        "m@example.com",
        "--password-stdin",
        input="Wrong-Pass1\n",
    )
    assert run.exit_code == 1
    assert run.data["error"]["code"] == "bad_credentials"
    assert cli.mails() == []


def test_an_active_account_cannot_start_the_update_again(cli: Cli) -> None:
    make_owner_with_two_accounts(cli)
    update_until_code(cli)
    cli("password", "set", "LEF001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    run = cli.json(
        "update",
        "start",
        "LEF001",
        "--email",
        "m@example.com",
        "--confirm-email",
        "m@example.com",
        "--password-stdin",
        input=NEW + "\n",
    )
    assert run.exit_code == 1
    assert run.data["error"]["code"] == "wrong_state"
