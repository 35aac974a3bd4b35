"""The tables (SQLModel) and the small vocabularies their string columns use.

Status and purpose columns are plain strings checked in Python rather than database enums:
the same migrations then run unchanged on SQLite and PostgreSQL.
No table class is ever rendered as output: the services build views (``views.py``) that
leave hashes and codes out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, Text, event
from sqlmodel import Field, SQLModel

from coproctl.clock import now
from coproctl.folding import account_search_text, owner_search_text
from coproctl.inputs import identifiant_key

# account status
PENDING = "pending"
ACTIVE = "active"
DISABLED = "disabled"
STATUSES = (PENDING, ACTIVE, DISABLED)

# where the current password came from
ORIGIN_SYNDIC = "syndic"  # initial password printed on the call-for-funds letters
ORIGIN_LEGACY = "legacy"  # hash imported from the old extranet
ORIGIN_OWNER = "owner"  # chosen by the owner through a procedure

# verification code purposes
UPDATE = "update"
RESET = "reset"
EMAIL_CHANGE = "email-change"
PURPOSES = (UPDATE, RESET, EMAIL_CHANGE)

# outbox message status
MAIL_QUEUED = "queued"
MAIL_SENDING = "sending"
MAIL_SENT = "sent"
MAIL_FAILED = "failed"
MAIL_EXPIRED = "expired"


class Owner(SQLModel, table=True):
    __tablename__ = "owner"

    id: int | None = Field(default=None, primary_key=True)
    owner_ref: str = Field(max_length=64, unique=True, index=True)
    civility: str | None = Field(default=None, max_length=32)
    last_name: str = Field(max_length=200)
    first_name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=400)
    postal_code: str | None = Field(default=None, max_length=16)
    city: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
    # staff: owner_ref and names folded (folding.owner_search_text), filled at every write
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Account(SQLModel, table=True):
    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    identifiant: str = Field(max_length=64)
    # lower-cased identifiant: the unique key lookups use (identifiants are case-insensitive)
    identifiant_key: str = Field(max_length=64, unique=True, index=True)
    owner_id: int = Field(
        sa_column=Column(Integer, ForeignKey("owner.id"), nullable=False, index=True)
    )
    copropriete: str | None = Field(default=None, max_length=200)
    copropriete_code: str | None = Field(default=None, max_length=64)
    lots: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    password_hash: str = Field(max_length=512)
    password_origin: str = Field(default=ORIGIN_SYNDIC, max_length=16)
    password_changed_at: datetime | None = Field(default=None)
    email: str | None = Field(default=None, max_length=320)
    email_verified_at: datetime | None = Field(default=None)
    status: str = Field(default=PENDING, max_length=16, index=True)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
    # staff: identifiant, e-mail, copropriété folded (folding.account_search_text)
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # staff: a lock set by staff (account lock) ends then; it is the lock in force while
    # it equals locked_until (a lock after failed logins sets another locked_until)
    staff_locked_until: datetime | None = Field(default=None)
    locked_by: str | None = Field(default=None, max_length=200)


class VerificationCode(SQLModel, table=True):
    """One code sent by e-mail; also the record of the procedure it belongs to.

    ``digest`` is HMAC-SHA256(secret key, purpose:account:code): the code itself is never
    stored here. ``verified_at`` marks consumption (set by a conditional UPDATE, so two
    concurrent verifications cannot both win); ``completed_at`` marks the end of the
    procedure (password set, or e-mail switched).
    """

    __tablename__ = "verification_code"
    __table_args__ = (Index("ix_verification_code_account_purpose", "account_id", "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False)
    )
    purpose: str = Field(max_length=16)
    digest: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))
    target_email: str = Field(max_length=320)
    created_at: datetime = Field(default_factory=now)
    expires_at: datetime = Field(index=True)
    attempts: int = Field(default=0)
    verified_at: datetime | None = Field(default=None)
    superseded_at: datetime | None = Field(default=None)
    completed_at: datetime | None = Field(default=None)
    # procedures: HMAC of the proof ``code verify`` hands out (update, reset); setting the
    # password requires the proof itself, so whoever verified the code is who sets it
    proof_digest: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary(32), nullable=True)
    )


class OutboxMessage(SQLModel, table=True):
    """A mail written in the same transaction as the change that causes it.

    A code mail's bodies hold a placeholder; the code waits in ``secret`` until the message
    is delivered, expires or fails, and is then erased (redaction), so no code stays in
    clear in the database.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("account.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    # indexed: deleting a code (codes purge) looks its messages up through this key
    code_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("verification_code.id", ondelete="SET NULL"),
            nullable=True,
            index=True,
        ),
    )
    kind: str = Field(max_length=32)
    to_addr: str = Field(max_length=320)
    subject: str = Field(max_length=400)
    body_text: str
    body_html: str | None = Field(default=None)
    secret: str | None = Field(default=None, max_length=64)
    status: str = Field(default=MAIL_QUEUED, max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=now)
    expires_at: datetime | None = Field(default=None)
    lease_until: datetime | None = Field(default=None)
    lease_token: str | None = Field(default=None, max_length=64)
    smtp_code: int | None = Field(default=None)
    error: str | None = Field(default=None, max_length=1000)
    message_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=now, index=True)
    sent_at: datetime | None = Field(default=None)
    redacted_at: datetime | None = Field(default=None)
    # where the message was queued to go ("smtp:HOST:PORT", "file:/DIR", "console"): another
    # transport leaves it queued (mail/transports.transport_key); NULL: queued before 0002
    transport: str | None = Field(default=None, max_length=600)


class AuditEvent(SQLModel, table=True):
    """One line of the audit trail. Never a password, a code or a hash in ``details``."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=now, index=True)
    actor: str = Field(max_length=200)
    account_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("account.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    identifiant: str | None = Field(default=None, max_length=200, index=True)
    # the identifiant's lookup key (audit_identifiant_key), filled at every write: events are
    # found by it whatever case or width the identifiant was typed in; NULL without one
    identifiant_key: str | None = Field(default=None, max_length=200, index=True)
    action: str = Field(max_length=64, index=True)
    outcome: str = Field(max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CodeTally(SQLModel, table=True):
    """Per-hour counts of the codes ``codes purge`` deleted, so that ``stats`` still counts
    them: codes issued (by ``created_at``), verified (``verified_at``) and expired unused
    (``expires_at``) in that hour (UTC). Rows hold no personal data.
    """

    __tablename__ = "code_tally"

    hour: datetime = Field(primary_key=True)
    issued: int = Field(default=0)
    verified: int = Field(default=0)
    expired: int = Field(default=0)


class ErasedReference(SQLModel, table=True):
    """An owner reference or an identifiant erased on a data-protection request, kept only
    as a keyed hash (HMAC-SHA256 with the instance key, ``services/importing/erased.py``),
    so that the next import does not bring the owner back: nothing here names anyone.
    """

    __tablename__ = "erased_reference"

    digest: bytes = Field(sa_column=Column(LargeBinary(32), primary_key=True))
    erased_at: datetime = Field(default_factory=now)


class WebSession(SQLModel, table=True):
    """An owner's session on the web pages (``coproctl serve``, ``services/web/sessions``).

    The cookie holds a random id; the row is keyed by its HMAC (instance key), so the table
    cannot be turned back into cookies. ``state`` (the step reached, a verified code's
    proof) is sealed under a key derived from the cookie's id: only the cookie opens it.
    """

    __tablename__ = "web_session"

    id_digest: bytes = Field(sa_column=Column(LargeBinary(32), primary_key=True))
    account_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    state: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=now)
    seen_at: datetime = Field(default_factory=now, index=True)


class WebRateCount(SQLModel, table=True):
    """Requests to the login and forgotten-password pages, per minute, per client address
    and per identifiant (each as an HMAC: no address or identifiant in clear), shared by
    every worker and host of the web pages."""

    __tablename__ = "web_rate_count"

    bucket: bytes = Field(sa_column=Column(LargeBinary(32), primary_key=True))
    minute: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    count: int = Field(default=0)


# staff: the search columns follow every ORM write of an owner or an account
@event.listens_for(Owner, "before_insert")
@event.listens_for(Owner, "before_update")
def _owner_search_text(_mapper: Any, _connection: Any, owner: Owner) -> None:
    owner.search_text = owner_search_text(owner.owner_ref, owner.last_name, owner.first_name)


@event.listens_for(Account, "before_insert")
@event.listens_for(Account, "before_update")
def _account_search_text(_mapper: Any, _connection: Any, account: Account) -> None:
    account.search_text = account_search_text(
        account.identifiant, account.email, account.copropriete
    )


AUDIT_IDENTIFIANT_MAX = 200  # audit_event.identifiant and audit_event.identifiant_key


def audit_identifiant_key(identifiant: str | None) -> str | None:
    """``audit_event.identifiant_key`` for an event's identifiant: the one lookup key
    (:func:`coproctl.inputs.identifiant_key`), cut to its column (case folding can lengthen
    a text; a key that long is no account's, whose keys hold 64 characters)."""
    if identifiant is None:
        return None
    return identifiant_key(identifiant)[:AUDIT_IDENTIFIANT_MAX]


# the audit trail's identifiant key follows every ORM write of an event (Core inserts of
# events, as the import's, give it themselves)
@event.listens_for(AuditEvent, "before_insert")
@event.listens_for(AuditEvent, "before_update")
def _audit_identifiant_key(_mapper: Any, _connection: Any, row: AuditEvent) -> None:
    row.identifiant_key = audit_identifiant_key(row.identifiant)
