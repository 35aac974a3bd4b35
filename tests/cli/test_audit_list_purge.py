"""Done-when 2: ``audit list`` filters combine (newest first, --limit); ``audit purge`` keeps
the boundary day, defaults to AUDIT_RETENTION_DAYS, is idempotent and leaves its own trace.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from coproctl.clock import PARIS
from coproctl.models import AuditEvent
from tests.cli.conftest import Cli

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=PARIS)


def _event(office: Any, at: datetime, action: str, actor: str = "alice", **kw: Any) -> None:
    from coproctl.services import audit
    from coproctl.services.common import find_account

    with office.uow() as uow, freeze_time(at):
        identifiant = kw.pop("identifiant", None)
        account = find_account(uow.session, identifiant) if identifiant else None
        audit.record(
            uow.session,
            actor,
            action,
            kw.pop("outcome", "ok"),
            account=account,
            identifiant=None if account else identifiant,
            **kw,
        )
        uow.commit()


def _accounts(office: Any) -> None:
    from coproctl.services.owners.accounts import create_account

    for identifiant in ("AUD001", "AUD002"):
        create_account(
            office,
            identifiant,
            owner_ref="R" + identifiant,
            last_name="Audit",
            initial_password="Initial-Aa11",
        )


def test_audit_list_filters_combine_newest_first(cli: Cli, office: Any) -> None:
    _accounts(office)
    base = NOW - timedelta(days=3)
    _event(office, base, "login", "alice", identifiant="AUD001")
    _event(office, base + timedelta(hours=1), "password.set", "alice", identifiant="AUD001")
    _event(office, base + timedelta(hours=2), "password.forgot", "bob", identifiant="AUD001")
    _event(office, base + timedelta(hours=3), "password.set", "bob", identifiant="AUD002")
    _event(office, base + timedelta(days=1), "password.change", "alice", identifiant="AUD001")
    _event(office, base + timedelta(days=2), "login", "alice", identifiant="NOSUCH")

    def actions(*args: str) -> list[tuple[str, str | None, str]]:
        run = cli.json("audit", "list", *args)
        assert run.exit_code == 0, run.output
        return [(e["action"], e["identifiant"], e["actor"]) for e in run.data]

    every = cli.json("audit", "list").data
    assert [e["at"] for e in every] == sorted((e["at"] for e in every), reverse=True)

    # account (any case) AND action prefix AND actor AND time range
    assert actions("--account", "aud001", "--action", "password", "--actor", "alice") == [
        ("password.change", "AUD001", "alice"),
        ("password.set", "AUD001", "alice"),
    ]
    assert actions(
        "--account",
        "AUD001",
        "--action",
        "password",
        "--actor",
        "alice",
        "--since",
        "2026-06-12",
        "--until",
        "2026-06-13",
    ) == [("password.set", "AUD001", "alice")]
    assert actions("--action", "password.set") == [
        ("password.set", "AUD002", "bob"),
        ("password.set", "AUD001", "alice"),
    ]
    assert actions("--actor", "bob", "--limit", "1") == [("password.set", "AUD002", "bob")]
    # an identifiant no account has: the events recorded under that name
    assert actions("--account", "nosuch") == [("login", "NOSUCH", "alice")]
    # --until is exclusive, times are Paris time (10:00 in Paris is 08:00 UTC)
    assert actions("--since", "12/06/2026", "--until", "2026-06-12 10:00:00") == []
    assert actions("--since", "12/06/2026", "--until", "2026-06-12 11:00:00") == [
        ("login", "AUD001", "alice")
    ]


def _count(office: Any) -> int:
    with office.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def test_audit_purge_keeps_the_boundary_day(cli: Cli, office: Any) -> None:
    boundary = datetime(2025, 6, 15, 0, 0, tzinfo=PARIS)  # NOW - 365 days, at midnight
    _event(office, boundary - timedelta(seconds=1), "old.last")
    _event(office, boundary - timedelta(days=40), "old.first")
    _event(office, boundary, "kept.first")
    _event(office, boundary + timedelta(hours=23, minutes=59), "kept.boundary_day")
    _event(office, NOW - timedelta(days=1), "kept.recent")

    with freeze_time(NOW):
        dry = cli.json("audit", "purge", "--dry-run")
        assert dry.data["removed"] == 2
        assert _count(office) == 5
        run = cli.json("audit", "purge", "--older-than", "365")
        assert run.exit_code == 0, run.output
        assert run.data["removed"] == 2
        assert run.data["cutoff"] == "2025-06-15T00:00:00+02:00"
        again = cli.json("audit", "purge")
        assert again.data["removed"] == 0
        left = [e["action"] for e in cli.json("audit", "list").data]
    # each run leaves its event, the one that deleted nothing too (issue 11: cron shows it ran)
    assert left == ["audit.purge", "audit.purge", "kept.recent", "kept.boundary_day", "kept.first"]
    removed = [e["details"]["removed"] for e in cli.json("audit", "list", "--action", "audit").data]
    assert removed == [0, 2]


def test_audit_purge_default_is_the_retention_setting(
    cli: Cli, office: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _event(office, NOW - timedelta(days=31), "old")
    _event(office, NOW - timedelta(days=30), "kept")
    monkeypatch.setenv("COPROCTL_AUDIT_RETENTION_DAYS", "30")
    with freeze_time(NOW):
        quiet = cli("audit", "purge", "--quiet")
        assert quiet.exit_code == 0
        assert quiet.output == ""
        assert [e["action"] for e in cli.json("audit", "list").data] == ["audit.purge", "kept"]
    refused = cli("audit", "purge", "--older-than", "0")
    assert refused.exit_code == 2
