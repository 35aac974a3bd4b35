"""Issue 6 under faults, on both engines, with real processes and a real SMTP server.

- ``kill -9`` of ``mail send`` in the middle of a batch, then a re-run: every message is
  delivered at least once, and none is ever marked sent that the server did not accept.
- An import, a ``codes purge`` and a ``mail send`` running at the same time: no error, no
  row lost, none duplicated.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, insert, select

from coproctl.clock import now
from coproctl.config import load_settings
from coproctl.models import MAIL_SENT, Account, OutboxMessage, VerificationCode
from coproctl.services.office import open_backoffice
from tests.mail.conftest import MailServer, queue_notices

ROOT = Path(__file__).resolve().parents[2]
COUNT = 200


def coproctl(*args: str) -> list[str]:
    return [sys.executable, "-m", "coproctl", *args]


def statuses(office: Any) -> dict[int, str]:
    with office.uow() as uow:
        rows = uow.session.execute(select(OutboxMessage.id, OutboxMessage.status)).all()
    return {row_id: status for row_id, status in rows}


def assert_sent_only_if_accepted(office: Any, server: MailServer) -> None:
    accepted = {received.outbox_id for received in server.received}
    sent = {row_id for row_id, status in statuses(office).items() if status == MAIL_SENT}
    assert sent <= accepted, f"marked sent but never accepted: {sorted(sent - accepted)}"


def test_kill_9_mid_batch_then_rerun_delivers_everything(
    initialised: Any, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_MAIL_DELIVERY", "queue")
    smtp_server.handler.delay = 0.01  # about 2 s for the whole queue: time to kill it
    with open_backoffice(load_settings(), "test-staff") as office:
        ids = queue_notices(office, COUNT)
        proc = subprocess.Popen(
            coproctl("mail", "send"),
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        # kill once a first batch is recorded as sent: the next one is on the wire
        while MAIL_SENT not in statuses(office).values():
            assert proc.poll() is None, "mail send ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        before_kill = {received.outbox_id for received in smtp_server.received}
        assert len(before_kill) < COUNT, "everything went before the kill"
        assert_sent_only_if_accepted(office, smtp_server)

        # the killed run's claims hold until their lease runs out; then a re-run takes them
        lease = timedelta(seconds=office.settings.mail_lease_seconds + 1)
        with freeze_time(now() + lease, tick=True, real_asyncio=True):
            from coproctl.services.mail.queue import send_queue

            send_queue(office)
        assert_sent_only_if_accepted(office, smtp_server)
        assert set(statuses(office).values()) == {MAIL_SENT}
        delivered = Counter(received.outbox_id for received in smtp_server.received)
        assert set(delivered) == set(ids)  # at least once each
        # a second copy only of what the server took before the kill, unrecorded then
        for outbox_id, times in delivered.items():
            assert times == 1 or (times == 2 and outbox_id in before_kill), outbox_id


def test_import_purge_and_mail_send_together(
    initialised: Any, smtp_server: MailServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_MAIL_DELIVERY", "queue")
    smtp_server.handler.delay = 0.005
    accounts = 300
    export = tmp_path / "export.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "sample_data" / "generate.py"), "--accounts", str(accounts),
         "--no-bad-rows", "--seed", "11", "--out", str(export)],
        check=True, capture_output=True,
    )  # fmt: skip
    with open_backoffice(load_settings(), "test-staff") as office:
        ids = queue_notices(office, COUNT, identifiant="ZZMAIL")
        with office.uow() as uow:
            account_id = uow.session.execute(
                select(Account.id).where(Account.identifiant_key == "zzmail")
            ).scalar_one()
            old = now() - timedelta(days=3)
            dead = [
                {"account_id": account_id, "purpose": "update", "digest": bytes(32),
                 "target_email": "x@example.com", "created_at": old,
                 "expires_at": old + timedelta(minutes=30), "attempts": 0,
                 "superseded_at": old + timedelta(minutes=1)}
                for _ in range(3000)
            ]  # fmt: skip
            uow.session.execute(insert(VerificationCode), dead)
            uow.commit()

        runs = {
            "import": subprocess.Popen(
                coproctl("--json", "import", "calls-for-funds", str(export), "--batch-size", "25"),
                env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            ),
            "purge": subprocess.Popen(
                coproctl("--json", "codes", "purge", "--batch-size", "100"),
                env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            ),
            "mail": subprocess.Popen(
                coproctl("--json", "mail", "send"),
                env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            ),
        }  # fmt: skip
        outputs = {name: run.communicate(timeout=300) for name, run in runs.items()}
        for name, run in runs.items():
            assert run.returncode == 0, (name, outputs[name])
            assert "Traceback" not in outputs[name][1]

        summary = json.loads(outputs["import"][0])
        assert (summary["created"], summary["rejected"]) == (accounts, [])
        delivered = Counter(received.outbox_id for received in smtp_server.received)
        assert sorted(delivered) == sorted(ids)
        assert set(delivered.values()) == {1}
        with office.uow() as uow:
            session = uow.session
            assert session.execute(select(func.count()).select_from(Account)).scalar_one() == (
                accounts + 1
            )
            keys = session.execute(select(Account.identifiant_key)).scalars().all()
            assert len(keys) == len(set(keys))
            codes_left = session.execute(
                select(func.count()).select_from(VerificationCode)
            ).scalar_one()
        assert codes_left == 0
        assert set(statuses(office).values()) == {MAIL_SENT}
