"""Done-when 3: the policy refuses in French, every failing rule at once."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli
from tests.cli.test_update_procedure import make_owner_with_two_accounts, update_until_code

ENGLISH = ("password", "common", "similar", "guess", "avoid", "add another")


@pytest.mark.parametrize(
    "weak", ["Soleil2024", "Marseille13", "Azerty123", "Lefevre1965", "Lefèvre1965"]
)
def test_guessable_passwords_are_refused_in_french(cli: Cli, weak: str) -> None:
    make_owner_with_two_accounts(cli)
    update_until_code(cli)
    run = cli.json("password", "set", "LEF001", "--password-stdin", input=f"{weak}\n{weak}\n")
    assert run.exit_code == 1
    error = run.data["error"]
    assert error["code"] == "password_policy"
    assert error["details"]["rules"] == ["guessable"]
    assert "deviner" in error["message"]
    assert not any(word in error["message"].lower() for word in ENGLISH)


def test_all_failing_rules_listed_at_once(cli: Cli) -> None:
    make_owner_with_two_accounts(cli)
    update_until_code(cli)
    run = cli("password", "set", "LEF001", "--password-stdin", input="abc\nabc\n")
    assert run.exit_code == 1
    for fragment in ("8 caractères", "majuscule", "chiffre", "deviner"):
        assert fragment in run.stderr
    mismatch = cli.json(
        "password",
        "set",
        "LEF001",
        "--password-stdin",
        input="Brume-Tilleul-Quartz7\nBrume-Tilleul-Quartz8\n",
    )
    assert mismatch.data["error"]["code"] == "password_mismatch"
