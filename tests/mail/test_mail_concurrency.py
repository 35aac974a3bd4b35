"""Done-when 5: two ``mail send`` processes over 200 queued messages, each delivered once.

The server holds the first message until both processes are connected to it, so the two
runs really overlap: each has claimed batches before either can finish one (a process holds
at most two batches of 50 at a time: the one it sends, the next one it prepares).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest

from tests.mail.conftest import MailServer, queue_notices

COUNT = 200


def queue_in_new_office(count: int) -> list[int]:
    from coproctl.config import load_settings
    from coproctl.services.office import open_backoffice

    with open_backoffice(load_settings(), "test-staff") as office:
        return queue_notices(office, count)


def test_two_processes_deliver_each_message_once(
    initialised: Any, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_MAIL_DELIVERY", "queue")
    monkeypatch.setenv("COPROCTL_SMTP_TIMEOUT", "30")  # the server holds the first messages
    ids = queue_in_new_office(COUNT)
    assert len(ids) == COUNT
    assert smtp_server.received == []

    smtp_server.handler.wait_for_peers = 2
    command = [sys.executable, "-m", "coproctl", "--json", "mail", "send"]
    runs = [
        subprocess.Popen(command, env=dict(os.environ), stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs

    delivered = Counter(received.outbox_id for received in smtp_server.received)
    assert sorted(delivered) == sorted(ids)
    assert set(delivered.values()) == {1}
    assert len({received.peer for received in smtp_server.received}) == 2  # both worked

    from coproctl.config import load_settings
    from coproctl.services.mail.queue import list_mail
    from coproctl.services.office import open_backoffice

    with open_backoffice(load_settings(), "test-staff") as office:
        views = list_mail(office, limit=None)
    assert len(views) == COUNT
    assert {view.status for view in views} == {"sent"}
    assert {view.attempts for view in views} == {1}
