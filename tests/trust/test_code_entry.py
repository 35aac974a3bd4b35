"""Issue 9 item 15 and issue 11 item 18: how staff give a code, and what a refusal tells
them. A malformed code (not 8 digits once blanks are removed) costs no try; the code may be
typed grouped and unquoted, read from a hidden prompt or from standard input; wrong-state
refusals name the next command in the hint (the message stays the owner's)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import text

from coproctl.clock import now
from coproctl.errors import BadInput
from tests.cli.conftest import Cli
from tests.trust.conftest import Procedures

ADDRESS = "marie@example.com"


def attempts(procedures: Procedures) -> int:
    with procedures.office.engine.connect() as conn:
        return conn.execute(text("SELECT attempts FROM verification_code")).scalar_one()


@pytest.mark.parametrize("typed", ["1234", "123456789", "1234567a", "", "12 34 56 7", "٤٥٦٧٨٩٠١"])
def test_a_malformed_code_uses_no_try(procedures: Procedures, typed: str) -> None:
    procedures.account("ID001")
    procedures.start_update("ID001", ADDRESS)
    code = procedures.code()
    for _ in range(6):  # more than the 5 tries a code allows
        with pytest.raises(BadInput) as caught:
            procedures.verify("ID001", typed)
        assert caught.value.code == "bad_code_format"
        assert caught.value.exit_code == 2
    assert attempts(procedures) == 0
    assert procedures.verify("ID001", code).purpose == "update"


def start(cli: Cli) -> str:
    run = cli(
        "account",
        "create",
        "LEF001",
        "--owner-ref",
        "C1",
        "--last-name",
        "Lefèvre",
        "--password-stdin",
        input="Initial-Aa11\n",
    )
    assert run.exit_code == 0, run.output
    begin = ("update", "start", "LEF001", "--email", ADDRESS, "--confirm-email", ADDRESS)
    assert cli(*begin, "--password-stdin", input="Initial-Aa11\n").exit_code == 0
    return cli.code(ADDRESS)


def test_cli_malformed_code_is_exit_2_and_costs_nothing(cli: Cli) -> None:
    code = start(cli)
    run = cli.json("code", "verify", "LEF001", "1234")
    assert run.exit_code == 2
    assert run.data["error"]["code"] == "bad_code_format"
    assert "8 chiffres" in run.data["error"]["message"]
    assert cli("code", "verify", "LEF001", code).exit_code == 0


def test_cli_grouped_code_unquoted_is_accepted(cli: Cli) -> None:
    code = start(cli)
    run = cli("code", "verify", "LEF001", code[:4], code[4:])
    assert run.exit_code == 0, run.output


def test_cli_code_from_a_hidden_prompt(cli: Cli) -> None:
    code = start(cli)
    run = cli("code", "verify", "LEF001", input=code + "\n")
    assert run.exit_code == 0, run.output
    assert "Code reçu par e-mail" in run.stderr
    assert code not in run.output  # typed, never echoed


def test_cli_code_from_standard_input(cli: Cli) -> None:
    code = start(cli)
    run = cli.json("code", "verify", "LEF001", "--code-stdin", input=f" {code[:4]} {code[4:]}\n")
    assert run.exit_code == 0, run.output
    assert run.data["next_step"] == "password_set"
    both = cli.json("code", "verify", "LEF001", code, "--code-stdin", input=code + "\n")
    assert both.exit_code == 2


def error_of(cli: Cli, *args: str, input: str | None = None) -> dict[str, str]:
    run = cli.json(*args, input=input)
    assert run.exit_code == 1, run.output
    error = run.data["error"]
    assert "coproctl" not in error["message"]  # the owner's words name no command
    return error


def test_wrong_state_refusals_name_the_next_command(cli: Cli) -> None:
    start(cli)
    # a code is waiting: password set before code verify
    error = error_of(cli, "password", "set", "LEF001", "--password-stdin", input="x\ny\n")
    assert error["code"] == "wrong_state"
    assert "coproctl code verify LEF001" in error["hint"]
    # no procedure at all on an active account: the forgotten-password procedure
    code = cli.code(ADDRESS)
    assert cli("code", "verify", "LEF001", code).exit_code == 0
    new = "Brume-Tilleul-Quartz7"
    run = cli("password", "set", "LEF001", "--password-stdin", input=f"{new}\n{new}\n")
    assert run.exit_code == 0, run.output
    error = error_of(cli, "code", "verify", "LEF001", "12345678")
    assert error["code"] == "wrong_state"
    assert "coproctl password forgot LEF001" in error["hint"]
    error = error_of(
        cli,
        "update",
        "start",
        "LEF001",
        "--email",
        ADDRESS,
        "--confirm-email",
        ADDRESS,
        "--password-stdin",
        input=new + "\n",
    )
    assert "coproctl password forgot LEF001" in error["hint"]
    # an unknown identifiant: where to look it up
    unknown = error_of(cli, "code", "resend", "NOPE01")
    assert unknown["code"] == "not_found"
    assert "coproctl account list --search" in unknown["hint"]


def test_expired_code_hints_a_new_one(cli: Cli) -> None:
    with freeze_time(now()) as frozen:
        code = start(cli)
        frozen.tick(timedelta(minutes=31))
        error = error_of(cli, "code", "verify", "LEF001", code)
    assert error["code"] == "code_expired"
    assert error["hint"] == "Nouveau code, à la même adresse : coproctl code resend LEF001"


def test_pending_account_with_no_procedure_hints_update_start(cli: Cli) -> None:
    start(cli)
    cli("account", "reset", "LEF001", "--yes")  # ends the procedure in flight
    error = error_of(cli, "code", "resend", "LEF001")
    assert error["code"] == "wrong_state"
    assert "coproctl update start LEF001" in error["hint"]
