"""What the services show of accounts: views without any hash or code."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from coproctl import clock
from coproctl.models import Account, OutboxMessage, Owner, VerificationCode
from coproctl.services.audit import AuditView, recent_for_account
from coproctl.services.owners.locks import lock_reason
from coproctl.services.procedures.codes import in_flight


@dataclass(frozen=True)
class ProcedureView:
    purpose: str
    state: str  # "code_sent" or "code_verified"
    to: str
    code_expires_at: datetime
    attempts: int
    verified_at: datetime | None
    # what became of the code's mail (mail.state.Delivery: sent, written, queued, retrying,
    # failed), read from the outbox, not the intent; None when the mail is gone (purged)
    delivery: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "state": self.state,
            "to": self.to,
            "code_expires_at": clock.paris_iso(self.code_expires_at),
            "attempts": self.attempts,
            "verified_at": clock.paris_iso(self.verified_at),
            "delivery": self.delivery.as_dict() if self.delivery is not None else None,
        }


@dataclass(frozen=True)
class MailView:
    id: int
    to: str
    kind: str
    status: str
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    smtp_code: int | None = None
    next_attempt_at: datetime | None = None
    identifiant: str | None = None

    @property
    def hint(self) -> str | None:
        """What the failure means, in French staff can read to the owner (mail/diagnosis)."""
        from coproctl.mail.diagnosis import hint

        return hint(self.status, self.smtp_code, self.error)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "to": self.to,
            "kind": self.kind,
            "status": self.status,
            "attempts": self.attempts,
            "error": self.error,
            "created_at": clock.paris_iso(self.created_at),
            "sent_at": clock.paris_iso(self.sent_at),
            "smtp_code": self.smtp_code,
            "next_attempt_at": clock.paris_iso(self.next_attempt_at)
            if self.status == "queued"
            else None,
            "identifiant": self.identifiant,
            "hint": self.hint,
        }


def mail_view(row: OutboxMessage, identifiant: str | None = None) -> MailView:
    assert row.id is not None
    return MailView(
        row.id,
        row.to_addr,
        row.kind,
        row.status,
        row.attempts,
        row.error,
        row.created_at,
        row.sent_at,
        row.smtp_code,
        row.next_attempt_at,
        identifiant,
    )


@dataclass(frozen=True)
class AccountView:
    identifiant: str
    status: str
    email: str | None
    email_verified_at: datetime | None
    locked_until: datetime | None
    failed_logins: int
    owner_ref: str
    civility: str | None
    last_name: str
    first_name: str | None
    copropriete: str | None
    copropriete_code: str | None
    lots: list[str]
    siblings: list[str]
    password_origin: str
    password_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    procedure: ProcedureView | None = None
    recent_events: list[AuditView] = field(default_factory=list)
    mails: list[MailView] = field(default_factory=list)
    lock_reason: str | None = None  # "staff" or "failed_logins" while locked (owners.locks)
    locked_by: str | None = None  # who, for a staff lock

    @property
    def locked(self) -> bool:
        return self.locked_until is not None and clock.as_utc(self.locked_until) > clock.now()

    def as_dict(self, *, detailed: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "identifiant": self.identifiant,
            "status": self.status,
            "email": self.email,
            "email_verified": self.email_verified_at is not None,
            "email_verified_at": clock.paris_iso(self.email_verified_at),
            "locked_until": clock.paris_iso(self.locked_until) if self.locked else None,
            "lock_reason": self.lock_reason if self.locked else None,
            "locked_by": self.locked_by if self.locked and self.lock_reason == "staff" else None,
            "failed_logins": self.failed_logins,
            "owner_ref": self.owner_ref,
            "civility": self.civility,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "copropriete": self.copropriete,
            "copropriete_code": self.copropriete_code,
            "lots": self.lots,
            "siblings": self.siblings,
            "password_origin": self.password_origin,
            "password_changed_at": clock.paris_iso(self.password_changed_at),
            "created_at": clock.paris_iso(self.created_at),
            "updated_at": clock.paris_iso(self.updated_at),
        }
        if detailed:
            data["procedure"] = self.procedure.as_dict() if self.procedure else None
            data["recent_events"] = [event.as_dict() for event in self.recent_events]
            data["mails"] = [mail.as_dict() for mail in self.mails]
        return data


def _siblings(session: Session, accounts: Sequence[Account]) -> dict[int, list[str]]:
    """identifiants of every account of the same owners, by owner id (one query)."""
    owner_ids = {account.owner_id for account in accounts}
    by_owner: dict[int, list[str]] = defaultdict(list)
    if not owner_ids:
        return by_owner
    rows = session.exec(
        select(Account.owner_id, Account.identifiant)
        .where(col(Account.owner_id).in_(owner_ids))
        .order_by(col(Account.identifiant_key))
    ).all()
    for owner_id, identifiant in rows:
        by_owner[owner_id].append(identifiant)
    return by_owner


def account_views(session: Session, pairs: Sequence[tuple[Account, Owner]]) -> list[AccountView]:
    siblings = _siblings(session, [account for account, _ in pairs])
    return [
        AccountView(
            identifiant=account.identifiant,
            status=account.status,
            email=account.email,
            email_verified_at=account.email_verified_at,
            locked_until=account.locked_until,
            failed_logins=account.failed_logins,
            owner_ref=owner.owner_ref,
            civility=owner.civility,
            last_name=owner.last_name,
            first_name=owner.first_name,
            copropriete=account.copropriete,
            copropriete_code=account.copropriete_code,
            lots=list(account.lots or []),
            siblings=[i for i in siblings[account.owner_id] if i != account.identifiant],
            password_origin=account.password_origin,
            password_changed_at=account.password_changed_at,
            created_at=account.created_at,
            updated_at=account.updated_at,
            lock_reason=lock_reason(account),
            locked_by=account.locked_by,
        )
        for account, owner in pairs
    ]


def procedure_view(code: VerificationCode | None) -> ProcedureView | None:
    if code is None:
        return None
    return ProcedureView(
        purpose=code.purpose,
        state="code_verified" if code.verified_at is not None else "code_sent",
        to=code.target_email,
        code_expires_at=code.expires_at,
        attempts=code.attempts,
        verified_at=code.verified_at,
    )


def detailed_view(session: Session, account: Account, owner: Owner) -> AccountView:
    """One account with its procedure in progress, last events and last mails."""
    assert account.id is not None
    base = account_views(session, [(account, owner)])[0]
    mails = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.account_id == account.id)
        .order_by(col(OutboxMessage.id).desc())
        .limit(10)
    ).all()
    code = in_flight(session, account.id)
    procedure = procedure_view(code)
    if procedure is not None and code is not None and code.id is not None:
        from coproctl.mail.state import code_mail_state

        procedure = replace(procedure, delivery=code_mail_state(session, code.id))
    return replace(
        base,
        procedure=procedure,
        recent_events=recent_for_account(session, account.id),
        mails=[mail_view(row, account.identifiant) for row in mails],
    )
