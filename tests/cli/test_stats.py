"""Done-when 3: ``stats --json`` figures match a database built with known counts, and stay
the same after ``codes purge`` has deleted the old codes (the per-hour tally counts them).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from coproctl.models import Account, OutboxMessage, Owner, VerificationCode
from tests.cli.conftest import Cli

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # on the hour: purged codes count exactly
MIN = timedelta(minutes=1)
DAY = timedelta(days=1)


def _build(office: Any) -> None:
    accounts = {
        # name: (copropriété, status, completed the update procedure, locked until)
        "P1": ("Les Tilleuls", "pending", False, None),
        "P2": ("Les Tilleuls", "pending", False, NOW + 10 * MIN),
        "A1": ("Les Tilleuls", "active", True, None),
        "D1": ("Les Tilleuls", "disabled", True, None),
        "P3": ("Le Clos", "pending", False, None),
        "A2": ("Le Clos", "active", True, None),
        "A3": ("Le Clos", "active", True, NOW - MIN),
        "P4": (None, "pending", False, None),
        "D2": (None, "disabled", False, None),
    }
    ids: dict[str, int] = {}
    with office.uow() as uow:
        s = uow.session
        for name, (copro, status, completed, locked) in accounts.items():
            owner = Owner(owner_ref="O" + name, last_name="Stat" + name)
            s.add(owner)
            s.flush()
            assert owner.id is not None
            account = Account(
                identifiant=name,
                identifiant_key=name.lower(),
                owner_id=owner.id,
                copropriete=copro,
                password_hash="x",
                password_origin="owner" if completed else "syndic",
                email=f"{name.lower()}@example.com",
                email_verified_at=NOW - 30 * DAY if completed else None,
                status=status,
                locked_until=locked,
            )
            s.add(account)
            s.flush()
            assert account.id is not None
            ids[name] = account.id

        def code(name: str, purpose: str, created: datetime, **kw: Any) -> None:
            kw.setdefault("expires_at", created + 30 * MIN)
            s.add(
                VerificationCode(
                    account_id=ids[name],
                    purpose=purpose,
                    digest=b"\x00" * 32,
                    target_email="x@example.com",
                    created_at=created,
                    **kw,
                )
            )

        code("P1", "update", NOW - 10 * MIN)  # in progress: code sent
        code("P2", "update", NOW - 20 * MIN, verified_at=NOW - 5 * MIN)  # code verified
        code("P3", "update", NOW - 120 * MIN)  # stalled: expired 90 min ago
        code("A1", "reset", NOW - 5 * MIN, attempts=5)  # stalled: exhausted
        code("A2", "email-change", NOW - 3 * DAY, superseded_at=NOW - 3 * DAY + 5 * MIN)
        code(
            "A2",
            "email-change",
            NOW - 3 * DAY + 5 * MIN,
            verified_at=NOW - 3 * DAY + 10 * MIN,
            completed_at=NOW - 3 * DAY + 10 * MIN,
        )
        code("A3", "update", NOW - 8 * DAY, verified_at=NOW - 8 * DAY, completed_at=NOW - 8 * DAY)
        code("P4", "update", NOW - 2 * DAY, superseded_at=NOW - DAY)  # expired, then replaced

        def mail(status: str, smtp_code: int | None = None, error: str | None = None) -> None:
            s.add(
                OutboxMessage(
                    kind="update_code",
                    to_addr="x@example.com",
                    subject="s",
                    body_text="b",
                    status=status,
                    smtp_code=smtp_code,
                    error=error,
                )
            )

        mail("failed", 552, "552 5.2.2 Mailbox full")
        mail("failed", 552, "552 5.2.2 <x@example.com>: mailbox is full")
        mail("failed", 550, "550 5.1.1 <x@example.com>: Recipient address rejected: User unknown")
        mail("failed", 554, "554 5.7.1 Message rejected as spam")
        mail("queued", 451, "451 4.7.1 Greylisted, try again later")
        mail("queued", None, "serveur d'envoi injoignable (localhost:25)")
        mail("queued")
        for _ in range(3):
            mail("sent")
        mail("expired")
        uow.commit()


EXPECTED = {
    "pending": 4,
    "active": 3,
    "disabled": 2,
    "total": 9,
    "completed": 4,
    "completed_share": 0.4444,
    "owners": 9,
    "locked": 1,
    "procedures": {
        "in_progress": 2,
        "stalled": 2,
        "by_purpose": {
            "update": {"code_sent": 1, "code_verified": 1, "stalled": 1},
            "reset": {"code_sent": 0, "code_verified": 0, "stalled": 1},
            "email-change": {"code_sent": 0, "code_verified": 0, "stalled": 0},
        },
    },
    "codes": {
        "24h": {"issued": 4, "verified": 1, "expired": 1},
        "7d": {"issued": 7, "verified": 2, "expired": 2},
    },
    "mail": {
        "by_status": {"queued": 3, "sending": 0, "sent": 3, "failed": 4, "expired": 1},
        "failed": 4,
        "failures": {
            "mailbox_full": 2,
            "spam": 1,
            "bad_address": 1,
            "unreachable": 0,
            "temporary": 0,
            "other": 0,
        },
        "retrying": {
            "mailbox_full": 0,
            "spam": 0,
            "bad_address": 0,
            "unreachable": 1,
            "temporary": 1,
            "other": 0,
        },
    },
    "by_copropriete": [
        {
            "copropriete": "Le Clos",
            "pending": 1,
            "active": 2,
            "disabled": 0,
            "total": 3,
            "completed": 2,
            "completed_share": 0.6667,
        },
        {
            "copropriete": "Les Tilleuls",
            "pending": 2,
            "active": 1,
            "disabled": 1,
            "total": 4,
            "completed": 2,
            "completed_share": 0.5,
        },
        {
            "copropriete": None,
            "pending": 1,
            "active": 0,
            "disabled": 1,
            "total": 2,
            "completed": 0,
            "completed_share": 0.0,
        },
    ],
}


def test_stats_json_matches_the_database(cli: Cli, office: Any) -> None:
    _build(office)
    with freeze_time(NOW):
        run = cli.json("stats", "--by", "copropriete")
        assert run.exit_code == 0, run.output
        data = run.data
        assert data.pop("at") == "2026-03-10T13:00:00+01:00"
        assert data == EXPECTED

        purged = cli.json("codes", "purge", "--grace", "1h")
        assert purged.data["total"] == 5  # P3, A2 (two), A3, P4
        after = cli.json("stats", "--by", "copropriete").data
        after.pop("at")
    # the same figures, but P3's abandoned procedure: its dead code is gone
    assert after["procedures"]["by_purpose"]["update"] == {
        "code_sent": 1,
        "code_verified": 1,
        "stalled": 0,
    }
    assert after["procedures"]["stalled"] == 1
    after["procedures"] = EXPECTED["procedures"]
    assert after == EXPECTED


def test_stats_without_by_and_on_a_terminal(cli: Cli, office: Any) -> None:
    _build(office)
    with freeze_time(NOW):
        data = cli.json("stats").data
        assert "by_copropriete" not in data
        human = cli("stats", "--by", "copropriete")
    assert human.exit_code == 0
    for text in ("Comptes", "Procédures en cours", "boîte pleine", "Les Tilleuls", "44,4\u00a0%"):
        assert text in human.stdout


@pytest.mark.parametrize(
    ("smtp_code", "error", "cause"),
    [
        (552, "552 5.2.2 Mailbox full", "mailbox_full"),
        (452, "452 4.2.2 Over quota", "mailbox_full"),
        (550, "550 5.1.1 User unknown", "bad_address"),
        (550, "550 Requested action not taken: mailbox unavailable", "bad_address"),
        (550, "550 5.7.1 Blocked by policy", "spam"),
        (554, "554 Transaction failed", "spam"),
        (451, "451 4.7.1 Greylisted", "temporary"),
        (None, "serveur d'envoi injoignable", "unreachable"),
        (535, "535 5.7.8 Authentication failed", "unreachable"),
        (500, "500 syntax error", "other"),
    ],
)
def test_failure_causes(smtp_code: int | None, error: str, cause: str) -> None:
    from coproctl.mail.diagnosis import cause_group

    assert cause_group("failed", smtp_code, error) == cause
