"""Issue 9 item 13: no waiting code in clear, in the database or in the mail folder.

A queued code is sealed (AES-GCM, key derived from the instance key, bound to its message):
the database holds no usable code, a sealed value copied onto another message does not open
there, another instance key opens nothing (the mail fails, saying why). ``codes purge``
removes from the file transport's folder the code mails older than its cutoff.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, update

from coproctl.mail import diagnosis
from coproctl.mail.claims import OUTBOX
from coproctl.mail.sealing import SealError, seal, unseal
from tests.cli.conftest import Cli
from tests.mail.conftest import MailServer, code_in, create_account, start_update
from tests.mail.test_mail_redaction import everything_stored

KEY = b"k" * 32


def test_seal_opens_only_with_its_key_and_message() -> None:
    sealed = seal(KEY, "01234567", "<1@example.com>")
    assert sealed.startswith("v1:")
    assert "01234567" not in sealed
    assert len(sealed) <= 64  # outbox_message.secret
    assert unseal(KEY, sealed, "<1@example.com>") == "01234567"
    assert seal(KEY, "01234567", "<1@example.com>") != sealed  # a fresh nonce each time
    with pytest.raises(SealError):
        unseal(KEY, sealed, "<2@example.com>")
    with pytest.raises(SealError):
        unseal(b"x" * 32, sealed, "<1@example.com>")
    with pytest.raises(SealError):
        unseal(KEY, sealed[:-2] + "AA", "<1@example.com>")
    assert unseal(KEY, "76543210", "<1@example.com>") == "76543210"  # queued before 0002


def outbox(settings: Any) -> Any:
    url = settings.resolved_database_url().replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(url)


def test_a_queued_code_is_sealed_then_delivered(
    cli: Cli, initialised: Any, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_MAIL_DELIVERY", "queue")
    for number in (1, 2):
        create_account(cli, f"ACC00{number}", owner_ref=f"C00{number}")
        assert start_update(cli, f"ACC00{number}", f"owner{number}@example.com").exit_code == 0
    engine = outbox(initialised)
    try:
        with engine.begin() as conn:
            rows = conn.execute(select(OUTBOX.c.id, OUTBOX.c.secret).order_by(OUTBOX.c.id)).all()
            assert all(row.secret.startswith("v1:") for row in rows)
            stored = everything_stored(initialised)
            # the second message gets the first one's sealed code: it must not open there
            conn.execute(
                update(OUTBOX).where(OUTBOX.c.id == rows[1].id).values(secret=rows[0].secret)
            )
    finally:
        engine.dispose()
    run = cli.json("mail", "send")
    assert (run.data["sent"], run.data["failed"]) == (1, 1)
    (delivered,) = smtp_server.received
    code = code_in(delivered.message)
    assert code not in stored  # not in clear while it waited
    assert cli("code", "verify", "ACC001", code).exit_code == 0
    failed = next(m for m in cli.json("mail", "list").data if m["status"] == "failed")
    assert failed["error"].startswith("code illisible")
    assert failed["hint"] == diagnosis.CODE_UNREADABLE_HINT


def test_codes_purge_removes_old_code_mails_from_the_folder(
    cli: Cli, mail_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_MAIL_TRANSPORT", f"file:{mail_dir}")
    create_account(cli)
    assert start_update(cli, "LEF001", "marie@example.com").exit_code == 0
    notice = mail_dir / "00000999-password_changed.eml"
    notice.write_bytes(b"Subject: avis\r\n\r\nsans code\r\n")
    (code_mail,) = mail_dir.glob("*-update_code.eml")
    two_days_ago = time.time() - 2 * 86400
    for path in (code_mail, notice):
        os.utime(path, (two_days_ago, two_days_ago))
    recent = mail_dir / "00001000-reset_code.eml"
    recent.write_bytes(b"Subject: code\r\n\r\n    1234 5678\r\n")

    dry = cli("codes", "purge", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert code_mail.exists()
    run = cli("codes", "purge")
    assert run.exit_code == 0, run.output
    assert not code_mail.exists()  # older than the grace period (24 h)
    assert notice.exists()  # no code in it: not the purge's business
    assert recent.exists()
