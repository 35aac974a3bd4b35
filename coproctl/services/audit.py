"""The audit trail: every procedure step, refusal and staff action.

Rows are written in the transaction of the change they describe; a refusal commits its row
before the error is raised (see :func:`coproctl.services.common.refuse`). Details never
hold a password, a code or a hash: :func:`record` refuses keys that could carry one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from coproctl import clock
from coproctl.models import Account, AuditEvent
from coproctl.services.listing import Page, count_rows, window

if TYPE_CHECKING:
    from coproctl.backoffice import Backoffice

OK = "ok"
# detail keys that would name a secret; a detail is never allowed to carry one
_FORBIDDEN_KEYS = frozenset(
    {
        "password",
        "new_password",
        "current_password",
        "code",
        "hash",
        "password_hash",
        "secret",
        "digest",
        "token",
    }
)


def record(
    session: Session,
    actor: str,
    action: str,
    outcome: str = OK,
    *,
    account: Account | None = None,
    identifiant: str | None = None,
    **details: Any,
) -> AuditEvent:
    forbidden = _FORBIDDEN_KEYS.intersection(key.lower() for key in details)
    if forbidden:
        raise ValueError(f"audit details must not carry secrets ({sorted(forbidden)})")
    event = AuditEvent(
        at=clock.now(),
        actor=actor,
        account_id=account.id if account is not None else None,
        identifiant=account.identifiant if account is not None else identifiant,
        action=action,
        outcome=outcome,
        details=details,
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditView:
    at: datetime
    actor: str
    identifiant: str | None
    action: str
    outcome: str
    details: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": clock.paris_iso(self.at),
            "actor": self.actor,
            "identifiant": self.identifiant,
            "action": self.action,
            "outcome": self.outcome,
            "details": self.details,
        }


def view(event: AuditEvent) -> AuditView:
    return AuditView(
        event.at, event.actor, event.identifiant, event.action, event.outcome, dict(event.details)
    )


def recent_for_account(session: Session, account_id: int, limit: int = 10) -> list[AuditView]:
    rows = session.exec(
        select(AuditEvent)
        .where(AuditEvent.account_id == account_id)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
    ).all()
    return [view(row) for row in rows]


def _events_query(
    *,
    account_id: int | None = None,
    identifiant: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    query = select(AuditEvent)
    if account_id is not None:
        query = query.where(AuditEvent.account_id == account_id)
    if identifiant is not None:
        # identifiants are case-insensitive: events of an unknown one were recorded as typed
        query = query.where(func.lower(AuditEvent.identifiant) == identifiant.strip().lower())
    if action is not None:
        query = query.where(
            (AuditEvent.action == action) | col(AuditEvent.action).startswith(action + ".")
        )
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    return query


def list_events(
    session: Session,
    *,
    account_id: int | None = None,
    identifiant: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[AuditView]:
    """Newest first; every filter given narrows the result (they combine with AND)."""
    query = _events_query(
        account_id=account_id,
        identifiant=identifiant,
        action=action,
        actor=actor,
        since=since,
        until=until,
    )
    query = window(
        query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()), offset, limit
    )
    return [view(row) for row in session.exec(query).all()]


def audit_page(
    backoffice: Backoffice,
    *,
    identifiant: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> Page[AuditView]:
    """The audit trail for staff, newest first, with the number of all matching events; an
    identifiant matches whatever its case. ``since`` and ``until`` are Paris time."""
    with backoffice.uow() as uow:
        account_id = None
        if identifiant is not None:
            from coproctl.services.common import find_account

            account = find_account(uow.session, identifiant)
            account_id = account.id if account is not None else None
        filters: dict[str, Any] = {
            "account_id": account_id,
            "identifiant": identifiant.strip()
            if identifiant is not None and account_id is None
            else None,
            "action": action,
            "actor": actor,
            "since": clock.from_paris(since) if since else None,
            "until": clock.from_paris(until) if until else None,
        }
        total = count_rows(uow.session, _events_query(**filters))
        events = list_events(uow.session, **filters, limit=limit, offset=offset)
        return Page(events, total, offset, limit)


def list_audit(
    backoffice: Backoffice,
    *,
    identifiant: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 100,
) -> list[AuditView]:
    """The events of :func:`audit_page` alone."""
    return audit_page(
        backoffice,
        identifiant=identifiant,
        action=action,
        actor=actor,
        since=since,
        until=until,
        limit=limit,
    ).rows
