"""Issue 9 item 4: ``password forgot`` does not wait for the relay, in any case.

The command hands its mail (or nothing) to a detached process and exits: it returns while
the relay still holds the reset code's DATA, and the code arrives once the relay answers.
(The durations themselves are measured by ``bench/forgot.py``, not asserted here.)
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from typer.testing import CliRunner

from coproctl.mail import background
from tests.cli.conftest import Cli
from tests.mail.conftest import MailServer, activate, code_in, create_account, eventually

ADDRESS = "marie.lefevre@example.com"


def forgot(email: str, identifiant: str = "LEF001") -> Any:
    """The command, without the test harness's wait for detached processes."""
    from coproctl.cli.app import app

    return CliRunner().invoke(app, ["password", "forgot", identifiant, "--email", email])


def reset_mails(server: MailServer) -> list[Any]:
    return [m for m in server.to(ADDRESS) if m["X-Coproctl-Kind"] == "reset_code"]


def test_the_command_returns_before_the_relay_answers_and_the_code_arrives(
    cli: Cli, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_SMTP_TIMEOUT", "60")  # the relay is slow, not broken
    create_account(cli)
    activate(cli, "LEF001", ADDRESS)
    smtp_server.handler.hold = threading.Event()
    try:
        run = forgot(ADDRESS)
        assert run.exit_code == 0, run.output
        # answered while the relay has not accepted the reset code (it holds every DATA)
        assert reset_mails(smtp_server) == []
        assert eventually(lambda: smtp_server.handler.holding == 1)  # the detached deliverer
    finally:
        smtp_server.handler.hold.set()
    background.wait_for_children()
    (mail,) = reset_mails(smtp_server)
    statuses = {m["kind"]: m["status"] for m in cli.json("mail", "list").data}
    assert statuses["reset_code"] == "sent"
    assert cli("code", "verify", "LEF001", code_in(mail)).exit_code == 0


def test_every_case_hands_over_the_same_way(cli: Cli, smtp_server: MailServer) -> None:
    """Match, wrong e-mail, unknown, pending: one detached process each, the same answer."""
    create_account(cli)
    activate(cli, "LEF001", ADDRESS)
    create_account(cli, "PEN001", owner_ref="C0043")
    answers = set()
    for identifiant, email in (
        ("LEF001", ADDRESS),
        ("LEF001", "autre@example.com"),
        ("INCONNU", ADDRESS),
        ("PEN001", ADDRESS),
    ):
        background.wait_for_children()
        run = forgot(email, identifiant)
        assert run.exit_code == 0, run.output
        assert len(background._children) == 1  # one detached deliverer, whatever the case
        answers.add(run.stdout)
        background.wait_for_children()
    assert len(answers) == 1
    assert len(reset_mails(smtp_server)) == 1  # the match only
