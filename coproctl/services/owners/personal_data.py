"""Owners: look one up, export what is held about them (right of access), erase it.

What is "held about an owner" is gathered in one place (:func:`_holdings`) so that the export
and the erasure cover the same rows: the owner, their accounts, their accounts' codes, the
mails to them or about their accounts, and the audit events of their accounts or naming
them. Every column is exported but the secrets (``SECRET_COLUMNS``); a test keeps that list
in step with the tables.

Erasure keeps the rows (the accounts stay, disabled; the audit trail keeps counting their
events) but replaces every personal value by a pseudonym or by ``(effacé)``. The pseudonym is
random and stored nowhere else: nothing leads back from it to the person.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, cast, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, SQLModel, col, select

from coproctl import clock
from coproctl.backoffice import Backoffice
from coproctl.config import Settings
from coproctl.errors import Refused
from coproctl.inputs import identifiant_key
from coproctl.models import (
    DISABLED,
    MAIL_EXPIRED,
    MAIL_QUEUED,
    MAIL_SENDING,
    Account,
    AuditEvent,
    OutboxMessage,
    Owner,
    VerificationCode,
    audit_identifiant_key,
)
from coproctl.services import audit
from coproctl.services.common import refuse
from coproctl.services.importing import erased as erased_references
from coproctl.services.maintenance.purges import delete_codes
from coproctl.services.owners.views import AccountView, account_views, procedure_view
from coproctl.services.procedures.codes import in_flight

EXPORT_FORMAT = "coproctl-owner-export/1"
ERASED = "(effacé)"
UNUSABLE_HASH = "!effacé"  # matches no password: passlib identifies no scheme in it
# columns never exported: secrets, or what would let one forge or replay one
SECRET_COLUMNS: dict[str, frozenset[str]] = {
    "owner": frozenset(),
    "account": frozenset({"password_hash"}),
    "verification_code": frozenset({"digest", "proof_digest"}),
    "outbox_message": frozenset({"secret", "lease_token"}),
    "audit_event": frozenset(),
}
_EMAIL = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+\.[^\s<>\"'(),;:]+")
# values shorter than this are matched only as whole values, never inside other text
_MIN_SUBSTRING = 4


def _owner_not_found(owner_ref: str) -> Refused:
    return Refused("not_found", f"Aucun propriétaire avec la référence « {owner_ref} ».")


def _get_owner(session: Session, owner_ref: str, *, lock: bool = False) -> Owner:
    query = select(Owner).where(Owner.owner_ref == owner_ref.strip())
    if lock:
        query = query.with_for_update()
    owner = session.exec(query).first()
    if owner is None:
        raise _owner_not_found(owner_ref.strip())
    return owner


@dataclass
class Holdings:
    owner: Owner
    accounts: list[Account]
    codes: list[VerificationCode]
    mails: list[OutboxMessage]
    events: list[AuditEvent]
    emails: set[str] = field(default_factory=set)  # every address seen for the owner, lower

    @property
    def account_ids(self) -> set[int]:
        return {account.id for account in self.accounts if account.id is not None}

    def identifying(self) -> list[str]:
        """Values that name the owner wherever they appear (matched inside other text)."""
        values = {self.owner.owner_ref, *(a.identifiant for a in self.accounts), *self.emails}
        return sorted((v for v in values if v), key=len, reverse=True)

    def personal(self) -> list[str]:
        """Every personal value stored about the owner (names and address too)."""
        o = self.owner
        values = {*self.identifying(), o.last_name, o.first_name, o.address, o.city}
        values.add(o.postal_code)
        return sorted((v for v in values if v and v.strip()), key=len, reverse=True)


def _json_forms(value: str) -> set[str]:
    """How ``value`` may look inside stored JSON text (non-ASCII escaped or not), lower."""
    forms = {value.lower()}
    for variant in (value, value.lower()):
        forms.add(json.dumps(variant)[1:-1].lower())
    return forms


class _position(FunctionElement[int]):
    """Where ``needle`` starts in ``text``, 1-based, 0 if absent: a plain search for a text,
    never a pattern (a ``_`` or ``%`` in an e-mail stands for itself)."""

    type = Integer()
    inherit_cache = True


@compiles(_position)
def _position_sqlite(element: _position, compiler: Any, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(_position, "postgresql")
def _position_postgresql(element: _position, compiler: Any, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


def _event_keys(secret_key: bytes, accounts: Iterable[Account]) -> dict[str, Account]:
    """The keys an event recorded under no account may carry for these accounts: each
    identifiant's lookup key, and the tag an attempt with it left while no account had it."""
    keys: dict[str, Account] = {}
    for account in accounts:
        key = audit_identifiant_key(account.identifiant)
        if key is not None:
            keys[key] = account
        keys[audit.identifiant_tag(secret_key, account.identifiant)] = account
    return keys


def _holdings(session: Session, owner: Owner, secret_key: bytes, *, lock: bool = False) -> Holdings:
    account_query = select(Account).where(Account.owner_id == owner.id).order_by(col(Account.id))
    if lock:
        account_query = account_query.with_for_update()
    accounts = list(session.exec(account_query).all())
    ids = [a.id for a in accounts]
    codes = list(
        session.exec(
            select(VerificationCode)
            .where(col(VerificationCode.account_id).in_(ids))
            .order_by(col(VerificationCode.id))
        ).all()
    )
    emails = {a.email.lower() for a in accounts if a.email}
    emails |= {c.target_email.lower() for c in codes if c.target_email}
    mails = list(
        session.exec(
            select(OutboxMessage)
            .where(
                or_(
                    col(OutboxMessage.account_id).in_(ids),
                    func.lower(OutboxMessage.to_addr).in_(sorted(emails)),
                )
            )
            .order_by(col(OutboxMessage.id))
        ).all()
    )
    emails |= {m.to_addr.lower() for m in mails if m.account_id in ids and m.to_addr}
    holdings = Holdings(owner, accounts, codes, mails, [], emails)
    details_text = func.lower(cast(AuditEvent.details, String))
    mentions = [
        _position(details_text, form) > 0
        for value in holdings.identifying()
        if len(value) >= _MIN_SUBSTRING
        for form in sorted(_json_forms(value))
    ]
    holdings.events = list(
        session.exec(
            select(AuditEvent)
            .where(
                or_(
                    col(AuditEvent.account_id).in_(ids),
                    audit.identifiant_matches(_event_keys(secret_key, accounts)),
                    *mentions,
                )
            )
            .order_by(col(AuditEvent.id))
        ).all()
    )
    return holdings


# --- show ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerView:
    owner_ref: str
    civility: str | None
    last_name: str
    first_name: str | None
    address: str | None
    postal_code: str | None
    city: str | None
    created_at: datetime
    updated_at: datetime
    accounts: list[AccountView]

    def as_dict(self) -> dict[str, Any]:
        return {
            "owner_ref": self.owner_ref,
            "civility": self.civility,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "address": self.address,
            "postal_code": self.postal_code,
            "city": self.city,
            "created_at": clock.paris_iso(self.created_at),
            "updated_at": clock.paris_iso(self.updated_at),
            "accounts": [
                {**a.as_dict(), "procedure": a.procedure.as_dict() if a.procedure else None}
                for a in self.accounts
            ],
        }


def show_owner(backoffice: Backoffice, owner_ref: str) -> OwnerView:
    """The owner and their accounts, each with its procedure in progress."""
    from dataclasses import replace

    with backoffice.uow() as uow:
        session = uow.session
        owner = _get_owner(session, owner_ref)
        accounts = session.exec(
            select(Account).where(Account.owner_id == owner.id).order_by(col(Account.id))
        ).all()
        views = [
            replace(view, procedure=procedure_view(in_flight(session, account.id or 0)))
            for account, view in zip(
                accounts, account_views(session, [(a, owner) for a in accounts]), strict=True
            )
        ]
        return OwnerView(
            owner.owner_ref,
            owner.civility,
            owner.last_name,
            owner.first_name,
            owner.address,
            owner.postal_code,
            owner.city,
            owner.created_at,
            owner.updated_at,
            views,
        )


# --- export ----------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return clock.paris_iso(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raise TypeError("binary columns are secrets here; list them in SECRET_COLUMNS")
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


def row_dict(row: SQLModel) -> dict[str, Any]:
    """Every column of ``row`` but its table's secrets."""
    table = row.__table__  # type: ignore[attr-defined]
    hidden = SECRET_COLUMNS[table.name]
    return {c.name: _jsonable(getattr(row, c.name)) for c in table.columns if c.name not in hidden}


def export_owner(backoffice: Backoffice, owner_ref: str) -> dict[str, Any]:
    """Everything held about the owner, as JSON-ready data, secrets left out.

    The export itself is recorded in the audit trail (``owner.export``).
    """
    with backoffice.uow() as uow:
        session = uow.session
        owner = _get_owner(session, owner_ref)
        held = _holdings(session, owner, backoffice.secret_key)
        data = {
            "format": EXPORT_FORMAT,
            "exported_at": clock.paris_iso(clock.now()),
            "owner": row_dict(held.owner),
            "accounts": [row_dict(row) for row in held.accounts],
            "verification_codes": [row_dict(row) for row in held.codes],
            "mails": [row_dict(row) for row in held.mails],
            "audit_events": [row_dict(row) for row in held.events],
            "withheld": sorted(
                f"{table}.{column}"
                for table, columns in SECRET_COLUMNS.items()
                for column in columns
            ),
        }
        audit.record(
            session,
            backoffice.actor,
            "owner.export",
            owner_ref=owner.owner_ref,
            accounts=len(held.accounts),
        )
        uow.commit()
        return data


# --- erase -----------------------------------------------------------------------------


def procedure_is_live(row: VerificationCode | None, settings: Settings, now: datetime) -> bool:
    """Whether this in-flight code still lets the owner go on (see ``stats``' states)."""
    if row is None:
        return False
    if row.verified_at is not None:
        window = timedelta(minutes=settings.password_window_minutes)
        return clock.as_utc(row.verified_at) + window >= now
    return clock.as_utc(row.expires_at) >= now and row.attempts < settings.code_max_attempts


@dataclass(frozen=True)
class ErasedOwner:
    pseudonym: str
    accounts: list[str]  # the accounts' new identifiants
    counts: dict[str, int]
    forced: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "owner_ref": self.pseudonym,
            "accounts": self.accounts,
            "counts": self.counts,
            "forced": self.forced,
        }


class _Scrubber:
    """Replaces personal values inside text: pseudonyms for references, ``(effacé)`` else."""

    def __init__(self, replacements: dict[str, str], identifying: Iterable[str]) -> None:
        # a whole value matches by the lookup key (any case or width, as identifiants do)
        self.exact = {identifiant_key(key): value for key, value in replacements.items()}
        words = sorted((k for k in replacements if len(k) >= _MIN_SUBSTRING), key=len, reverse=True)
        self.anywhere = (
            re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
        )
        identifying_words = [w for w in identifying if len(w) >= _MIN_SUBSTRING]
        self.identifying = (
            re.compile(
                "|".join(re.escape(w) for w in sorted(identifying_words, key=len, reverse=True)),
                re.IGNORECASE,
            )
            if identifying_words
            else None
        )
        self.by_lower = {key.lower(): value for key, value in replacements.items()}

    def _sub(self, pattern: re.Pattern[str] | None, text: str) -> str:
        if pattern is None:
            return text
        return pattern.sub(lambda m: self.by_lower.get(m.group(0).lower(), ERASED), text)

    def text(self, value: str, *, own: bool) -> str:
        """``own``: the row is about the owner (any personal value and address goes)."""
        key = identifiant_key(value)
        if key in self.exact:
            return self.exact[key]
        if own:
            return _EMAIL.sub(ERASED, self._sub(self.anywhere, value))
        return self._sub(self.identifying, value)

    def value(self, value: Any, *, own: bool) -> Any:
        if isinstance(value, str):
            return self.text(value, own=own)
        if isinstance(value, list):
            return [self.value(item, own=own) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item, own=own) for key, item in value.items()}
        return value


def _refuse_if_live(
    uow: Any, backoffice: Backoffice, owner: Owner, accounts: Any, *, force: bool, now: datetime
) -> None:
    """Refused (and audited) while one of the accounts is in the middle of a procedure."""
    live = [
        a.identifiant
        for a in accounts
        if procedure_is_live(in_flight(uow.session, a.id or 0), backoffice.settings, now)
    ]
    if live and not force:
        raise refuse(
            uow,
            backoffice,
            "owner.erase",
            Refused(
                "procedure_in_progress",
                f"Procédure en cours sur {', '.join(live)} : effacement refusé "
                "(attendez qu'elle se termine, ou utilisez --force).",
                accounts=live,
            ),
            owner_ref=owner.owner_ref,
        )


def check_erasable(backoffice: Backoffice, owner_ref: str, *, force: bool = False) -> OwnerView:
    """The owner :func:`erase_owner` would erase, after the same refusals: staff are asked
    to confirm only an erasure that can happen."""
    with backoffice.uow() as uow:
        owner = _get_owner(uow.session, owner_ref)
        accounts = uow.session.exec(select(Account).where(Account.owner_id == owner.id)).all()
        _refuse_if_live(uow, backoffice, owner, accounts, force=force, now=clock.now())
    return show_owner(backoffice, owner_ref)


def erase_owner(backoffice: Backoffice, owner_ref: str, *, force: bool = False) -> ErasedOwner:
    """Anonymise everything held about the owner; disable their accounts.

    Refused (``procedure_in_progress``) while one of the accounts is in the middle of a
    procedure, unless ``force``. Codes are deleted; mails keep their kind, status and dates
    only; audit events are kept with pseudonyms in place of the owner's values.
    """
    action = "owner.erase"
    now = clock.now()
    with backoffice.uow() as uow:
        session = uow.session
        owner = _get_owner(session, owner_ref, lock=True)
        held = _holdings(session, owner, backoffice.secret_key, lock=True)
        _refuse_if_live(uow, backoffice, owner, held.accounts, force=force, now=now)
        # keyed hashes only: the next import skips this owner instead of recreating it
        erased_references.remember(
            session.connection(),
            backoffice.secret_key,
            owner.owner_ref,
            [account.identifiant for account in held.accounts],
            now,
        )

        pseudonym = "anon-" + secrets.token_hex(6)
        replacements: dict[str, str] = {value: ERASED for value in held.personal()}
        replacements[owner.owner_ref] = pseudonym
        by_account: dict[int, str] = {}
        for number, account in enumerate(held.accounts, start=1):
            assert account.id is not None
            by_account[account.id] = f"{pseudonym}-{number}"
            replacements[account.identifiant] = by_account[account.id]
        scrub = _Scrubber(replacements, held.identifying())
        keys = {
            key: by_account[account.id or 0]
            for key, account in _event_keys(backoffice.secret_key, held.accounts).items()
        }
        ids = held.account_ids

        for mail in held.mails:
            mail.to_addr = ERASED
            mail.subject = ERASED
            mail.body_text = ERASED
            mail.body_html = None
            mail.secret = None
            mail.error = scrub.text(mail.error, own=True) if mail.error else None
            if mail.status in (MAIL_QUEUED, MAIL_SENDING):
                mail.status = MAIL_EXPIRED
                mail.lease_token = None
                mail.lease_until = None
            mail.redacted_at = now
            session.add(mail)
        for event in held.events:
            unlinked = event.account_id is None and event.identifiant_key in keys
            own = event.account_id in ids or unlinked
            if event.account_id in ids:
                event.identifiant = by_account[event.account_id or 0]
            elif unlinked:
                event.identifiant = keys[event.identifiant_key or ""]
            event.details = scrub.value(dict(event.details), own=own)
            session.add(event)
        for account in held.accounts:
            account.identifiant = by_account[account.id or 0]
            account.identifiant_key = identifiant_key(account.identifiant)
            account.email = None
            account.email_verified_at = None
            account.lots = []
            account.password_hash = UNUSABLE_HASH
            account.status = DISABLED
            account.failed_logins = 0
            account.locked_until = None
            account.staff_locked_until = None
            account.locked_by = None
            account.updated_at = now
            session.add(account)  # its search_text follows (models: written at every flush)
        owner.owner_ref = pseudonym
        owner.civility = None
        owner.last_name = ERASED
        owner.first_name = None
        owner.address = None
        owner.postal_code = None
        owner.city = None
        owner.updated_at = now
        session.add(owner)
        session.flush()
        delete_codes(session, col(VerificationCode.account_id).in_(sorted(ids)))
        counts = {
            "accounts": len(held.accounts),
            "codes": len(held.codes),
            "mails": len(held.mails),
            "audit_events": len(held.events),
        }
        audit.record(session, backoffice.actor, action, owner_ref=pseudonym, forced=force, **counts)
        uow.commit()
        return ErasedOwner(pseudonym, [by_account[i] for i in sorted(by_account)], counts, force)
