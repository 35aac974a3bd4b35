"""Done-when 2, 3 and 4: what the relay refuses, defers or cannot do, and what staff see."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time

from coproctl.clock import now
from coproctl.mail import diagnosis
from tests.cli.conftest import Cli
from tests.mail.conftest import (
    MailServer,
    create_account,
    server_down,
    server_up,
    start_update,
)

FULL = "pleine@example.com"


def make_three(cli: Cli) -> None:
    for number, name in ((1, "Lefèvre"), (2, "Martin"), (3, "Durand")):
        create_account(cli, f"ACC00{number}", owner_ref=f"C00{number}", last_name=name)


def test_552_fails_that_message_only_and_account_show_says_why(
    cli: Cli, smtp_server: MailServer
) -> None:
    smtp_server.handler.refuse[FULL] = "552 5.2.2 Mailbox full: quota exceeded"
    make_three(cli)
    for identifiant, address in (
        ("ACC001", "one@example.com"),
        ("ACC002", FULL),
        ("ACC003", "three@example.com"),
    ):
        run = start_update(cli, identifiant, address)
        assert run.exit_code == 0, run.output  # the code exists; the mail is another matter

    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
        "one@example.com",
        "three@example.com",
    ]
    failed = cli.json("mail", "list", "--status", "failed").data
    assert len(failed) == 1
    assert failed[0]["to"] == FULL
    assert failed[0]["error"] == "552 5.2.2 Mailbox full: quota exceeded"
    assert failed[0]["smtp_code"] == 552
    assert failed[0]["hint"] == diagnosis.MAILBOX_FULL

    shown = cli.json("account", "show", "ACC002").data
    assert shown["mails"][0]["status"] == "failed"
    assert shown["mails"][0]["hint"] == diagnosis.MAILBOX_FULL
    human = cli("account", "show", "ACC002")
    assert "Boîte de réception pleine" in human.stdout
    assert "552 5.2.2" in human.stdout

    # mail send does not try a failed message again
    assert cli("mail", "send").exit_code == 0
    assert len(smtp_server.received) == 2


def test_451_then_accepted_on_a_later_run(cli: Cli, smtp_server: MailServer) -> None:
    address = "grise@example.com"
    smtp_server.handler.defer[address] = [1, "451 4.7.1 Greylisted, try again later"]
    create_account(cli)
    start = now()
    with freeze_time(start, real_asyncio=True) as frozen:
        assert start_update(cli, "LEF001", address).exit_code == 0
        assert smtp_server.received == []
        (queued,) = cli.json("mail", "list").data
        assert queued["status"] == "queued"
        assert queued["attempts"] == 1
        assert queued["smtp_code"] == 451
        assert queued["hint"] == diagnosis.DEFERRED

        # not due yet: nothing happens
        run = cli.json("mail", "send")
        assert run.data["sent"] == 0
        assert smtp_server.received == []

        frozen.tick(timedelta(minutes=1, seconds=1))
        run = cli.json("mail", "send")
        assert run.exit_code == 0
        assert run.data["sent"] == 1
        frozen.tick(timedelta(hours=1))
        assert cli.json("mail", "send").data["sent"] == 0

    assert [r.rcpt_tos for r in smtp_server.received] == [[address]]
    (sent,) = cli.json("mail", "list").data
    assert sent["status"] == "sent"
    assert sent["attempts"] == 2
    assert sent["error"] is None
    assert sent["hint"] is None


def test_server_down_when_the_code_is_issued(
    cli: Cli, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = "patiente@example.com"
    create_account(cli)
    server_down(smtp_server)
    run = cli.json("update", "start", "LEF001", "--email", address, "--confirm-email", address,
                   "--password-stdin", input="Initial-Aa11\n")  # fmt: skip
    assert run.exit_code == 0, run.output
    assert run.data["to"] == address
    (queued,) = cli.json("mail", "list").data
    assert queued["status"] == "queued"
    assert queued["error"].startswith("serveur d'envoi injoignable")
    assert queued["hint"] == diagnosis.UNREACHABLE_HINT
    shown = cli("account", "show", "LEF001")
    assert "Notre serveur d'envoi était injoignable" in shown.stdout

    # still down when the retry is due: the run says so, with a non-zero status
    with freeze_time(now() + timedelta(minutes=2), real_asyncio=True):
        later = cli("mail", "send", "--quiet")
    assert later.exit_code == 1
    assert "Serveur d'envoi inutilisable" in later.stderr
    assert cli.json("mail", "list").data[0]["attempts"] == 2

    server_up(smtp_server)
    with freeze_time(now() + timedelta(minutes=10), real_asyncio=True):
        run = cli.json("mail", "send")
        assert run.exit_code == 0
        assert run.data["sent"] == 1
        assert cli.json("mail", "send").data["sent"] == 0
        code = smtp_server.code_for(address)
        assert cli("code", "verify", "LEF001", code).exit_code == 0
    assert len(smtp_server.received) == 1


@pytest.mark.parametrize(
    ("reply", "at_data", "expected"),
    [
        ("550 5.1.1 <inconnu@example.com>: Recipient address rejected: User unknown", False,
         diagnosis.UNKNOWN_ADDRESS),
        ("554 5.7.1 Message rejected as spam", True, diagnosis.SPAM),
        ("550 5.7.1 Blocked by MailInBlack", False, diagnosis.SPAM),
        ("452 4.2.2 Mailbox full", False, diagnosis.MAILBOX_FULL),
        ("550 5.1.2 Host unknown", False, diagnosis.UNKNOWN_DOMAIN),
    ],
)  # fmt: skip
def test_each_refusal_gets_its_hint(
    cli: Cli, smtp_server: MailServer, reply: str, at_data: bool, expected: str
) -> None:
    address = "inconnu@example.com"
    target = smtp_server.handler.refuse_data if at_data else smtp_server.handler.refuse
    target[address] = reply
    create_account(cli)
    assert start_update(cli, "LEF001", address).exit_code == 0
    (mail,) = cli.json("account", "show", "LEF001").data["mails"]
    assert mail["error"] == reply
    assert mail["status"] == ("queued" if reply.startswith("4") else "failed")
    assert mail["hint"] == expected


def activate(cli: Cli, smtp_server: MailServer, address: str) -> None:
    create_account(cli)
    assert start_update(cli, "LEF001", address).exit_code == 0
    assert cli("code", "verify", "LEF001", smtp_server.code_for(address)).exit_code == 0
    new = "Brume-Tilleul-Quartz7"
    run = cli("password", "set", "LEF001", "--password-stdin", input=f"{new}\n{new}\n")
    assert run.exit_code == 0, run.output


def test_backoff_then_failed_after_24_hours(cli: Cli, smtp_server: MailServer) -> None:
    address = "toujours-plus-tard@example.com"
    activate(cli, smtp_server, address)
    received_before = len(smtp_server.received)
    smtp_server.handler.defer[address] = [1000, "421 4.4.2 Timeout, come back later"]
    waits = []
    with freeze_time(now(), real_asyncio=True) as frozen:
        assert cli("account", "reset", "LEF001", "--yes").exit_code == 0  # a notice to the owner
        for _ in range(12):
            notice = cli.json("mail", "list", "--kind", "account_reset").data[0]
            if notice["status"] != "queued":
                break
            wait = datetime.fromisoformat(notice["next_attempt_at"]) - now()
            waits.append(round(wait.total_seconds() / 60))
            frozen.tick(wait + timedelta(seconds=1))
            cli("mail", "send", "--quiet")
    assert len(smtp_server.received) == received_before
    notice = cli.json("mail", "list", "--kind", "account_reset").data[0]
    assert notice["status"] == "failed"
    assert notice["error"].startswith("421 4.4.2")
    assert notice["attempts"] == len(waits) + 1
    assert notice["hint"] == diagnosis.GAVE_UP
    # about 1 min, 5 min, 30 min, 2 h, then every 6 h, the last wait cut at 24 h
    assert waits[:5] == [1, 5, 30, 120, 360]
    assert all(wait <= 360 for wait in waits)
    assert 24 * 60 - 2 <= sum(waits) <= 24 * 60 + 2


def test_a_code_that_expired_in_the_queue_is_not_sent_late(
    cli: Cli, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = "en-retard@example.com"
    create_account(cli)
    server_down(smtp_server)
    with freeze_time(now(), real_asyncio=True) as frozen:
        assert start_update(cli, "LEF001", address).exit_code == 0
        server_up(smtp_server)
        frozen.tick(timedelta(minutes=30, seconds=1))
        run = cli.json("mail", "send")
        assert run.exit_code == 0
        assert run.data["expired"] == 1
        assert run.data["sent"] == 0
    assert smtp_server.received == []
    (mail,) = cli.json("mail", "list").data
    assert mail["status"] == "expired"
    assert mail["hint"] == diagnosis.EXPIRED


def test_a_replaced_code_is_not_sent(
    cli: Cli, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = "deux-codes@example.com"
    create_account(cli)
    server_down(smtp_server)
    with freeze_time(now(), real_asyncio=True) as frozen:
        assert start_update(cli, "LEF001", address).exit_code == 0
        frozen.tick(timedelta(seconds=61))
        assert cli("code", "resend", "LEF001").exit_code == 0
        server_up(smtp_server)
        frozen.tick(timedelta(minutes=2))
        report = cli.json("mail", "send").data
        assert {key: report[key] for key in ("sent", "retrying", "failed", "expired")} == {
            "sent": 1,
            "retrying": 0,
            "failed": 0,
            "expired": 1,
        }
        assert (report["failures"], report["server_unreachable"]) == ([], None)
        assert (report["waiting"], report["elsewhere"]) == (0, [])
    assert len(smtp_server.received) == 1
    assert cli("code", "verify", "LEF001", smtp_server.code_for(address)).exit_code == 0
    mails = cli.json("mail", "list").data
    assert [m["status"] for m in mails] == ["sent", "expired"]
    assert mails[1]["hint"] == diagnosis.REPLACED
