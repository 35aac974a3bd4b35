"""Issue 11, item 17: `password set` and `password change` check what they can before
asking any secret (--noted, the procedure's state), show the rules and the other accounts
the password will reach, and check the policy before asking for the confirmation."""

from __future__ import annotations

from tests.cli.conftest import Cli

ADDRESS = "marie@example.com"
NEW = "Brume-Tilleul-Quartz7"


def create(cli: Cli, identifiant: str, password: str, owner_ref: str = "C1") -> None:
    run = cli(
        "account",
        "create",
        identifiant,
        "--owner-ref",
        owner_ref,
        "--last-name",
        "Lefèvre",
        "--password-stdin",
        input=password + "\n",
    )
    assert run.exit_code == 0, run.output


def verified_update(cli: Cli, identifiant: str = "LEF001", password: str = "Initial-Aa11") -> None:
    begin = ("update", "start", identifiant, "--email", ADDRESS, "--confirm-email", ADDRESS)
    assert cli(*begin, "--password-stdin", input=password + "\n").exit_code == 0
    assert cli("code", "verify", identifiant, cli.code(ADDRESS)).exit_code == 0


def verified_reset(cli: Cli) -> None:
    create(cli, "LEF001", "Initial-Aa11")
    verified_update(cli)
    run = cli("password", "set", "LEF001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 0, run.output
    assert cli("password", "forgot", "LEF001", "--email", ADDRESS).exit_code == 0
    assert cli("code", "verify", "LEF001", cli.code(ADDRESS)).exit_code == 0


def test_set_checks_noted_before_asking_any_secret(cli: Cli) -> None:
    verified_reset(cli)
    run = cli.json("password", "set", "LEF001")  # interactive: nothing typed
    assert run.exit_code == 1
    assert run.data["error"]["code"] == "noted_required"
    assert "Nouveau mot de passe" not in run.output  # no prompt was shown
    other = "Velo.Rouge.Nuage.9"
    run = cli("password", "set", "LEF001", "--noted", "--password-stdin", input=f"{other}\n" * 2)
    assert run.exit_code == 0, run.output


def test_set_shows_the_rules_and_the_other_accounts_before_the_secret(cli: Cli) -> None:
    create(cli, "LEF001", "Initial-Aa11")
    create(cli, "LEF002", "Initial-Bb22")
    verified_update(cli)
    run = cli("password", "set", "LEF001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 0, run.output
    told = run.stderr
    assert "Au moins 8 caractères" in told
    assert "Ce mot de passe sera aussi celui de vos autres comptes : LEF002." in told
    assert "coproctl password set LEF001 --this-account-only" in told
    assert told.index("Au moins 8") < told.index("LEF002")


def test_set_checks_the_policy_before_asking_the_confirmation(cli: Cli) -> None:
    create(cli, "LEF001", "Initial-Aa11")
    verified_update(cli)
    run = cli.json("password", "set", "LEF001", "--password-stdin", input="Soleil2024\n")
    assert run.exit_code == 1, run.output  # refused at once, the confirmation never read
    assert run.data["error"]["code"] == "password_policy"
    assert run.data["error"]["details"]["rules"] == ["guessable"]
    audit = cli.json("audit", "list", "--account", "LEF001", "--action", "password.set").data
    assert audit[0]["outcome"] == "password_policy"
    run = cli("password", "set", "LEF001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 0, run.output


def test_change_checks_noted_first_and_the_policy_before_the_confirmation(cli: Cli) -> None:
    create(cli, "LEF001", "Initial-Aa11")
    verified_update(cli)
    run = cli("password", "set", "LEF001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 0, run.output
    run = cli.json("password", "change", "LEF001")
    assert run.data["error"]["code"] == "noted_required"
    assert "Mot de passe actuel" not in run.output
    run = cli.json(
        "password", "change", "LEF001", "--noted", "--password-stdin", input=f"{NEW}\nabc\n"
    )
    assert run.exit_code == 1
    assert run.data["error"]["code"] == "password_policy"
    assert "Au moins 8 caractères" not in run.stdout  # rules on stderr, --json stays JSON
