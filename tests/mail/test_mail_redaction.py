"""Done-when 6: once a code mail is sent, failed or expired, no code stays in the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import MetaData, create_engine, select

from coproctl.clock import now
from tests.cli.conftest import Cli
from tests.mail.conftest import MailServer, create_account, server_down, server_up, start_update


def engine_for(settings: Any) -> Any:
    url = settings.resolved_database_url()
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def everything_stored(settings: Any) -> str:
    """Every value of every row of every table, as one text."""
    engine = engine_for(settings)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        assert "outbox_message" in metadata.tables
        chunks = []
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                for row in conn.execute(select(table)):
                    chunks.extend(
                        value.hex() + repr(value) if isinstance(value, bytes) else str(value)
                        for value in row
                    )
        return "\n".join(chunks)
    finally:
        engine.dispose()


def queued_secrets(settings: Any) -> list[str]:
    engine = engine_for(settings)
    try:
        metadata = MetaData()
        metadata.reflect(engine, only=["outbox_message"])
        outbox = metadata.tables["outbox_message"]
        with engine.connect() as conn:
            return [
                row.secret
                for row in conn.execute(
                    select(outbox.c.secret).where(outbox.c.status == "queued").order_by(outbox.c.id)
                )
            ]
    finally:
        engine.dispose()


def test_no_code_in_clear_after_sent_failed_or_expired(
    cli: Cli, initialised: Any, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in (1, 2, 3):
        create_account(cli, f"ACC00{number}", owner_ref=f"C00{number}")
    start = now()
    with freeze_time(start, real_asyncio=True) as frozen:
        # 1. delivered at once
        assert start_update(cli, "ACC001", "recu@example.com").exit_code == 0
        delivered = smtp_server.code_for("recu@example.com")
        # 2. and 3. the relay is down: both wait in the queue, with their codes
        server_down(smtp_server)
        assert start_update(cli, "ACC002", "pleine@example.com").exit_code == 0
        assert start_update(cli, "ACC003", "trop-tard@example.com").exit_code == 0
        sealed = queued_secrets(initialised)
        assert len(sealed) == 2
        assert all(secret and secret.startswith("v1:") for secret in sealed)  # never in clear
        assert all(secret in everything_stored(initialised) for secret in sealed)  # the probe

        # 2. refused for good at the next run; 3. deferred, then its code expires
        server_up(smtp_server)
        smtp_server.handler.refuse["pleine@example.com"] = "552 5.2.2 Mailbox full"
        smtp_server.handler.defer["trop-tard@example.com"] = [99, "451 4.3.0 Try later"]
        frozen.tick(timedelta(minutes=2))
        run = cli.json("mail", "send")
        assert (run.data["failed"], run.data["retrying"]) == (1, 1)
        assert queued_secrets(initialised) == [sealed[1]]
        frozen.tick(timedelta(minutes=29))
        assert cli.json("mail", "send").data["expired"] == 1

    statuses = sorted(m["status"] for m in cli.json("mail", "list").data)
    assert statuses == ["expired", "failed", "sent"]
    stored = everything_stored(initialised)
    assert delivered not in stored
    for secret in sealed:
        assert secret not in stored
    assert "[[CODE]]" in stored  # the bodies kept their placeholder, and only that
