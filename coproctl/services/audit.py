"""The audit trail: every procedure step, refusal and staff action.

Rows are written in the transaction of the change they describe; a refusal commits its row
before the error is raised (see :func:`coproctl.services.common.refuse`). Details never
hold a password, a code or a hash: :func:`record` refuses keys that could carry one.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from coproctl import clock
from coproctl.models import Account, AuditEvent, audit_identifiant_key
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


# what a row may hold (audit_event columns, and a bound on every detail value): a write of
# the trail never fails on a value too long, and a refusal's effect is never lost to it
MAX_ACTOR = 200
MAX_IDENTIFIANT = 200
MAX_DETAIL_TEXT = 200
MAX_DETAIL_ITEMS = 20
_MAX_DEPTH = 3


def identifiant_tag(key: bytes, identifiant: str) -> str:
    """What the trail keeps of an identifiant no account has: an HMAC (instance key) of its
    lookup key, never the text. A password typed in the identifiant field stays unreadable;
    staff who type the identifiant again find its events (same tag)."""
    from coproctl.inputs import identifiant_key

    message = b"audit-identifiant:" + identifiant_key(identifiant).encode("utf-8", "surrogatepass")
    return "inconnu:" + hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _text(value: str, limit: int) -> str:
    """Printable (control characters and lone surrogates replaced) and at most ``limit``."""
    clean = "".join(
        "\ufffd" if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in value[: limit + 1]
    )
    return clean if len(clean) <= limit else clean[: limit - 1] + "\u2026"


def bounded(value: Any, depth: int = 0) -> Any:
    """A detail value both engines store: text cut, collections cut, nothing but JSON."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str) or depth >= _MAX_DEPTH:
        return _text(str(value), MAX_DETAIL_TEXT)
    if isinstance(value, dict):
        items = list(value.items())
        kept = {
            _text(str(key), 64): bounded(item, depth + 1) for key, item in items[:MAX_DETAIL_ITEMS]
        }
        if len(items) > MAX_DETAIL_ITEMS:
            kept["\u2026"] = len(items) - MAX_DETAIL_ITEMS
        return kept
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        kept_items = [bounded(item, depth + 1) for item in items[:MAX_DETAIL_ITEMS]]
        if len(items) > MAX_DETAIL_ITEMS:
            kept_items.append(f"\u2026 (+{len(items) - MAX_DETAIL_ITEMS})")
        return kept_items
    return _text(str(value), MAX_DETAIL_TEXT)


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
    who = account.identifiant if account is not None else identifiant
    shown = _text(who, MAX_IDENTIFIANT) if who is not None else None
    event = AuditEvent(
        at=clock.now(),
        actor=_text(actor, MAX_ACTOR),
        account_id=account.id if account is not None else None,
        identifiant=shown,
        identifiant_key=audit_identifiant_key(shown),
        action=action,
        outcome=outcome,
        details=bounded(details),
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


def identifiant_matches(keys: Iterable[str]) -> Any:
    """The events recorded under no account whose identifiant has one of these lookup keys
    (:func:`coproctl.models.audit_identifiant_key`; a tag is its own key). An event of an
    account belongs to that account: two accounts whose identifiants fold alike (re-keyed by
    0002) never get each other's events."""
    return col(AuditEvent.account_id).is_(None) & col(AuditEvent.identifiant_key).in_(
        sorted(set(keys))
    )


def _events_query(
    *,
    account_id: int | None = None,
    identifiant: str | None = None,
    identifiant_tag: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    """``account_id`` and ``identifiant`` together: the account's events, and those recorded
    under no account with its identifiant (typed in any case or width) or its tag."""
    query = select(AuditEvent)
    if identifiant is not None:
        # events of an identifiant no account had were recorded as typed (before release
        # 0002), or as their tag since (see identifiant_tag): both found by the lookup key
        wanted = [
            audit_identifiant_key(identifiant),
            *([identifiant_tag] if identifiant_tag else []),
        ]
        unlinked = identifiant_matches(key for key in wanted if key is not None)
        if account_id is not None:
            query = query.where((AuditEvent.account_id == account_id) | unlinked)
        else:
            query = query.where(unlinked)
    elif account_id is not None:
        query = query.where(AuditEvent.account_id == account_id)
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
    identifiant_tag: str | None = None,
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
        identifiant_tag=identifiant_tag,
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
    identifiant matches by its lookup key, whatever its case or width, and finds its
    account's events with those recorded before the account knew them (under no account).
    ``since`` and ``until`` are Paris time."""
    with backoffice.uow() as uow:
        account_id = None
        if identifiant is not None:
            from coproctl.services.common import find_account

            account = find_account(uow.session, identifiant)
            account_id = account.id if account is not None else None
        filters: dict[str, Any] = {
            "account_id": account_id,
            "identifiant": identifiant,
            "identifiant_tag": identifiant_tag(backoffice.secret_key, identifiant)
            if identifiant is not None
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
