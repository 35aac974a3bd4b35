"""Leases: a deliverer that died gives its messages back; a slow one keeps them."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import event

from coproctl.backoffice import Backoffice
from coproctl.clock import now
from coproctl.config import load_settings, replace
from coproctl.mail.claims import claim
from coproctl.mail.delivery import deliver
from coproctl.services.maintenance.setup import initialise
from coproctl.services.office import open_backoffice
from tests.mail.conftest import MailServer, queue_notices


@pytest.fixture
def queue_office(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Backoffice]:
    """A back office whose mails wait for cron (MAIL_DELIVERY=queue), lease of 30 s."""
    monkeypatch.setenv("COPROCTL_MAIL_DELIVERY", "queue")
    monkeypatch.setenv("COPROCTL_MAIL_LEASE_SECONDS", "30")
    settings = load_settings()
    initialise(settings)
    with open_backoffice(settings, "test-staff") as office:
        yield office


def delivered_ids(server: MailServer) -> Counter[int]:
    return Counter(received.outbox_id for received in server.received)


def test_messages_of_a_dead_deliverer_go_once_its_lease_ran_out(
    queue_office: Backoffice, smtp_server: MailServer
) -> None:
    ids = queue_notices(queue_office, 3)
    with freeze_time(now(), real_asyncio=True) as frozen:
        _lease, taken = claim(queue_office, None, 2)  # ...and the deliverer dies here
        assert [row.id for row in taken] == ids[:2]
        assert deliver(queue_office).sent == 1
        assert delivered_ids(smtp_server) == Counter({ids[2]: 1})
        frozen.tick(timedelta(seconds=29))
        assert deliver(queue_office).sent == 0
        frozen.tick(timedelta(seconds=2))
        assert deliver(queue_office).sent == 2
    assert delivered_ids(smtp_server) == Counter(dict.fromkeys(ids, 1))


def test_a_slow_deliverer_renews_its_lease(
    queue_office: Backoffice, smtp_server: MailServer, tmp_path: Path
) -> None:
    """Each message takes 20 s of a 30 s lease: without renewal, another deliverer would
    take (and send again) the rest of the batch."""
    ids = queue_notices(queue_office, 5)
    other = Backoffice(
        replace(queue_office.settings, mail_transport=f"file:{tmp_path / 'other'}"),
        queue_office.engine,
        queue_office.secret_key,
        "cron-2",
    )
    reports: list[Any] = []
    with freeze_time(now(), real_asyncio=True) as frozen:

        def slow_then_competitor() -> None:
            frozen.tick(timedelta(seconds=20))
            reports.append(deliver(other))

        smtp_server.handler.on_data = slow_then_competitor
        report = deliver(queue_office)
    assert report.sent == 5
    assert delivered_ids(smtp_server) == Counter(dict.fromkeys(ids, 1))
    assert [r.sent for r in reports] == [0] * 5
    assert not (tmp_path / "other").exists()


def test_concurrent_claims_never_share_a_row(queue_office: Backoffice) -> None:
    """Four deliverers claim at once; each pauses between picking rows and taking them, so
    that without row locks and the conditional UPDATE two of them would take the same."""
    ids = queue_notices(queue_office, 120)
    engine = queue_office.engine

    def slow_pick(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().startswith("SELECT outbox_message.id"):
            time.sleep(0.3)

    event.listen(engine, "after_cursor_execute", slow_pick)
    start = threading.Barrier(4)
    taken: list[list[int]] = []

    def deliverer() -> None:
        start.wait()
        _lease, rows = claim(queue_office, None, 40)
        taken.append([row.id for row in rows])

    try:
        workers = [threading.Thread(target=deliverer) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    finally:
        event.remove(engine, "after_cursor_execute", slow_pick)
    everything = [row_id for rows in taken for row_id in rows]
    assert len(taken) == 4
    assert len(everything) == len(set(everything)) == 120
    assert sorted(everything) == sorted(ids)
