"""``mail send``, ``mail list`` and ``mail purge`` as cron and staff use them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from coproctl.backoffice import Backoffice
from coproctl.clock import now
from coproctl.config import load_settings
from coproctl.services.maintenance.setup import initialise
from coproctl.services.office import open_backoffice
from tests.cli.conftest import Cli
from tests.mail.conftest import MailServer, create_account, queue_notices, start_update


@pytest.fixture
def queue_office(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Backoffice]:
    monkeypatch.setenv("COPROCTL_MAIL_DELIVERY", "queue")
    settings = load_settings()
    initialise(settings)
    with open_backoffice(settings, "test-staff") as office:
        yield office


def test_send_limit_and_quiet(queue_office: Backoffice, smtp_server: MailServer) -> None:
    queue_notices(queue_office, 5)
    cli = Cli(None)  # type: ignore[arg-type]
    run = cli.json("mail", "send", "--limit", "2")
    assert run.exit_code == 0
    assert run.data["sent"] == 2
    assert len(smtp_server.received) == 2

    quiet = cli("mail", "send", "--quiet")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert len(smtp_server.received) == 5
    loud = cli("mail", "send")
    assert "Envoyés : 0" in loud.stdout

    assert cli("mail", "send", "--limit", "0").exit_code == 2


def test_quiet_send_still_reports_failures(
    queue_office: Backoffice, smtp_server: MailServer
) -> None:
    smtp_server.handler.refuse["owner001@example.com"] = "550 5.1.1 User unknown"
    queue_notices(queue_office, 3)
    run = Cli(None)("mail", "send", "--quiet")  # type: ignore[arg-type]
    assert run.exit_code == 0
    assert run.stdout == ""
    assert "owner001@example.com : 550 5.1.1 User unknown" in run.stderr


def test_a_message_that_cannot_be_written_fails_cleanly(
    queue_office: Backoffice, smtp_server: MailServer
) -> None:
    from coproctl.mail.outbox import queue_mail
    from coproctl.services.common import get_account, owner_of

    queue_notices(queue_office, 1)
    with queue_office.uow() as uow:
        account = get_account(uow.session, "LEF001")
        queue_mail(uow, queue_office, kind="email_changed", to="élodie@exemple.fr",
                   owner=owner_of(uow.session, account), account=account)  # fmt: skip
        uow.commit()
    run = Cli(None).json("mail", "send")  # type: ignore[arg-type]
    assert run.exit_code == 0
    assert (run.data["sent"], run.data["failed"]) == (1, 1)
    assert run.data["failures"][0]["error"].startswith("message impossible à composer")


def test_list_filters(cli: Cli, smtp_server: MailServer) -> None:
    smtp_server.handler.refuse["Perdu@Orange.fr".lower()] = "550 5.1.1 User unknown"
    create_account(cli, "ACC001", owner_ref="C001")
    create_account(cli, "ACC002", owner_ref="C002", last_name="Martin")
    start = now()
    with freeze_time(start, real_asyncio=True) as frozen:
        assert start_update(cli, "ACC001", "marie@example.com").exit_code == 0
        frozen.tick(timedelta(days=2))
        assert start_update(cli, "ACC002", "perdu@orange.fr").exit_code == 0

    everything = cli.json("mail", "list").data
    assert [m["identifiant"] for m in everything] == ["ACC002", "ACC001"]  # newest first
    assert [m["to"] for m in cli.json("mail", "list", "--status", "failed").data] == [
        "perdu@orange.fr"
    ]
    assert len(cli.json("mail", "list", "--to", "PERDU@orange.FR").data) == 1
    assert len(cli.json("mail", "list", "--to", "orange.fr").data) == 1
    assert cli.json("mail", "list", "--to", "perdu@orange").data == []
    assert [m["identifiant"] for m in cli.json("mail", "list", "--account", "acc001").data] == [
        "ACC001"
    ]
    paris_day = (start + timedelta(days=1)).astimezone().strftime("%Y-%m-%d")
    assert len(cli.json("mail", "list", "--since", paris_day).data) == 1
    assert len(cli.json("mail", "list", "--kind", "update_code").data) == 2
    assert len(cli.json("mail", "list", "--limit", "1").data) == 1

    human = cli("mail", "list")
    assert "perdu@orange.fr" in human.stdout
    assert "échec" in human.stdout

    bad = cli.json("mail", "list", "--status", "lost")
    assert bad.exit_code == 2
    assert bad.data["error"]["code"] == "bad_usage"
    unknown = cli.json("mail", "list", "--account", "NOBODY")
    assert unknown.exit_code == 1
    assert unknown.data["error"]["code"] == "not_found"


def test_purge_keeps_the_queue_and_recent_mail(
    cli: Cli, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp_server.handler.refuse["pleine@example.com"] = "552 5.2.2 Mailbox full"
    smtp_server.handler.defer["attente@example.com"] = [999, "451 4.3.0 Later"]
    for number in (1, 2, 3, 4):
        create_account(cli, f"ACC00{number}", owner_ref=f"C00{number}")
    start = now()
    with freeze_time(start - timedelta(days=40), real_asyncio=True):
        assert start_update(cli, "ACC001", "vieux@example.com").exit_code == 0  # sent
        assert start_update(cli, "ACC002", "pleine@example.com").exit_code == 0  # failed
    with freeze_time(start - timedelta(hours=1), real_asyncio=True):
        assert start_update(cli, "ACC003", "attente@example.com").exit_code == 0  # queued
    assert start_update(cli, "ACC004", "recent@example.com").exit_code == 0  # sent, recent

    dry = cli.json("mail", "purge", "--older-than", "30", "--dry-run")
    assert dry.data["removed"] == 2
    assert len(cli.json("mail", "list").data) == 4

    quiet = cli("mail", "purge", "--older-than", "30", "--quiet", "--batch-size", "1")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    left = sorted(m["to"] for m in cli.json("mail", "list").data)
    assert left == ["attente@example.com", "recent@example.com"]
    again = cli.json("mail", "purge", "--older-than", "30")
    assert (again.exit_code, again.data["removed"]) == (0, 0)  # idempotent

    # the queued one is never purged, however old; the default age is the setting
    monkeypatch.setenv("COPROCTL_MAIL_RETENTION_DAYS", "1")
    with freeze_time(start + timedelta(days=3), real_asyncio=True):
        run = cli("mail", "purge")
        assert "1 message supprimé :" in run.stdout
    assert [m["to"] for m in cli.json("mail", "list").data] == ["attente@example.com"]
    events = cli.json("audit", "list", "--action", "mail.purge").data
    assert [e["details"]["removed"] for e in events] == [1, 0, 2]  # every run, even empty
    assert cli("mail", "purge", "--older-than", "0").exit_code == 2


def test_account_show_lists_the_last_mails(cli: Cli, smtp_server: MailServer) -> None:
    del smtp_server
    create_account(cli)
    assert start_update(cli, "LEF001", "marie@example.com").exit_code == 0
    shown: Any = cli.json("account", "show", "LEF001").data
    (mail,) = shown["mails"]
    assert (mail["kind"], mail["status"], mail["hint"]) == ("update_code", "sent", None)
    human = cli("account", "show", "LEF001")
    assert "Derniers e-mails" in human.stdout


def test_two_purges_at_once_share_the_work(
    queue_office: Backoffice, smtp_server: MailServer
) -> None:
    from coproctl.mail.delivery import deliver
    from coproctl.services.audit import list_audit
    from coproctl.services.mail.queue import list_mail, purge_mail
    from coproctl.services.maintenance.batched_delete import Progress

    with freeze_time(now() - timedelta(days=40), real_asyncio=True):
        queue_notices(queue_office, 60)
        assert deliver(queue_office).sent == 60
    start = threading.Barrier(2)
    first_batches = threading.Barrier(2)  # each run waits there for the other's first batch
    removed: list[int] = []

    def between_batches(progress: Progress) -> None:
        if progress.batches == 1:
            first_batches.wait(timeout=30)

    def purge() -> None:
        start.wait()
        report = purge_mail(
            queue_office, older_than_days=30, batch_size=5, between_batches=between_batches
        )
        removed.append(report.removed)

    workers = [threading.Thread(target=purge) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert len(removed) == 2
    assert min(removed) > 0, removed  # both runs deleted messages
    assert sum(removed) == 60  # and none was counted by both
    assert list_mail(queue_office, limit=None) == []
    events = list_audit(queue_office, action="mail.purge", limit=None)
    assert sorted(event.details["removed"] for event in events) == sorted(removed)


def test_mail_help_stays_light() -> None:
    from tests.test_startup import HEAVY, loaded_by

    for args in (["mail", "--help"], ["mail", "send", "--help"], ["mail", "purge", "--help"]):
        assert not loaded_by(*args).intersection({*HEAVY, "smtplib", "ssl"}), args
