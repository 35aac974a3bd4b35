"""Server-side sessions of the owners' pages.

A session is a row of ``web_session`` (see :mod:`coproctl.services.web.tokens` for what
the cookie, the row and the sealed state each hold). It ends:

- after ``WEB_SESSION_IDLE_MINUTES`` without a request, or ``WEB_SESSION_MAX_HOURS`` after
  it started, whatever happens meanwhile;
- when its account's password changes anywhere else (another session, the CLI, staff's
  ``account reset``): a signed-in session remembers when the password it was opened with
  was set, and a session whose account now says otherwise is over; a password changed on
  the web also deletes the account's other sessions at once;
- when its account is disabled, or deleted (the row goes with it);
- when the owner signs out, or signs in again (a new id: no session fixation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from coproctl import clock
from coproctl.backoffice import Backoffice
from coproctl.models import DISABLED, Account, WebSession
from coproctl.services.web import tokens

# why a stored session was not taken up (the page says so)
EXPIRED = "expired"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a password)


@dataclass
class OwnerSession:
    """The session of one request: a visitor's (nothing stored) or a stored one."""

    raw: str  # the cookie's value
    state: dict[str, Any] = field(default_factory=dict)
    account_id: int | None = None
    stored: bool = False
    ended: str | None = None  # a stored session was found over (EXPIRED, PASSWORD_CHANGED)
    new_cookie: bool = False  # the cookie must be (re)sent

    @property
    def stage(self) -> str | None:
        return self.state.get("stage")


def visitor(*, ended: str | None = None) -> OwnerSession:
    return OwnerSession(tokens.new_id(tokens.VISITOR), ended=ended, new_cookie=True)


def stamp_of(moment: datetime | None) -> str:
    """How a session remembers when its account's password was set."""
    return clock.as_utc(moment).isoformat() if moment is not None else ""


def _over(row: WebSession, backoffice: Backoffice, now: datetime) -> bool:
    s = backoffice.settings
    idle = timedelta(minutes=s.web_session_idle_minutes)
    longest = timedelta(hours=s.web_session_max_hours)
    return now - clock.as_utc(row.seen_at) > idle or now - clock.as_utc(row.created_at) > longest


def is_stored(raw: str | None) -> bool:
    """Whether the cookie may name a stored session (only those cost a database access)."""
    return tokens.well_formed(raw) and raw is not None and not raw.startswith(tokens.VISITOR)


def load(backoffice: Backoffice, raw: str | None) -> OwnerSession:
    """The session the cookie names; a visitor's when it names none that is still valid.

    A visitor's cookie costs no database access. A stored session's last request time is
    moved to now (the idle timeout counts from the last request).
    """
    if not is_stored(raw):
        return OwnerSession(raw) if tokens.well_formed(raw) else visitor()
    assert raw is not None
    digest = tokens.id_digest(backoffice.secret_key, raw)
    now = clock.now()
    with backoffice.uow() as uow:
        row = uow.session.get(WebSession, digest)
        if row is None:
            return visitor()
        state = tokens.unseal(raw, digest, row.state)
        ended = EXPIRED if _over(row, backoffice, now) else None
        if ended is None and state is not None and row.account_id is not None:
            ended = _account_moved(uow.session, row.account_id, state)
        if state is None or ended is not None:
            uow.session.delete(row)
            uow.commit()
            return visitor(ended=ended)
        row.seen_at = now
        uow.session.add(row)
        uow.commit()
        return OwnerSession(raw, state, row.account_id, stored=True)


def _account_moved(session: Session, account_id: int, state: dict[str, Any]) -> str | None:
    """PASSWORD_CHANGED when the account's password is not the one this session knew of
    (or the account was disabled); None while it is."""
    account = session.get(Account, account_id)
    if account is None:
        return EXPIRED
    if account.status == DISABLED:
        return PASSWORD_CHANGED
    if "stamp" in state and state["stamp"] != stamp_of(account.password_changed_at):
        return PASSWORD_CHANGED
    return None


def start(
    backoffice: Backoffice,
    previous: OwnerSession,
    state: dict[str, Any],
    account_id: int | None = None,
) -> OwnerSession:
    """A new stored session (a new id), replacing the one the request came with."""
    raw = tokens.new_id(tokens.SESSION)
    digest = tokens.id_digest(backoffice.secret_key, raw)
    now = clock.now()
    with backoffice.uow() as uow:
        if previous.stored:
            uow.session.execute(
                delete(WebSession).where(
                    col(WebSession.id_digest)
                    == tokens.id_digest(backoffice.secret_key, previous.raw)
                )
            )
        uow.session.add(
            WebSession(
                id_digest=digest,
                account_id=account_id,
                state=tokens.seal(raw, digest, state),
                created_at=now,
                seen_at=now,
            )
        )
        uow.commit()
    return OwnerSession(raw, state, account_id, stored=True, new_cookie=True)


def save(backoffice: Backoffice, current: OwnerSession) -> None:
    """Write the session's state back (sealed again, under a new nonce)."""
    assert current.stored
    digest = tokens.id_digest(backoffice.secret_key, current.raw)
    with backoffice.uow() as uow:
        uow.session.execute(
            update(WebSession)
            .where(col(WebSession.id_digest) == digest)
            .values(state=tokens.seal(current.raw, digest, current.state), seen_at=clock.now())
        )
        uow.commit()


def end(backoffice: Backoffice, current: OwnerSession) -> OwnerSession:
    """Sign out: the row is deleted; the next requests are a visitor's."""
    if current.stored:
        digest = tokens.id_digest(backoffice.secret_key, current.raw)
        with backoffice.uow() as uow:
            uow.session.execute(delete(WebSession).where(col(WebSession.id_digest) == digest))
            uow.commit()
    return visitor()


def end_others(
    backoffice: Backoffice, account_ids: Iterable[int], keep: OwnerSession | None = None
) -> int:
    """Delete every session of these accounts but ``keep``; how many ended."""
    ids = list(account_ids)
    if not ids:
        return 0
    query = delete(WebSession).where(col(WebSession.account_id).in_(ids))
    if keep is not None and keep.stored:
        query = query.where(
            col(WebSession.id_digest) != tokens.id_digest(backoffice.secret_key, keep.raw)
        )
    with backoffice.uow() as uow:
        ended = uow.session.execute(query).rowcount
        uow.commit()
    return int(ended or 0)


def purge_expired(backoffice: Backoffice) -> int:
    """Delete the sessions past their idle or absolute timeout (the server, every minute)."""
    s = backoffice.settings
    now = clock.now()
    with backoffice.uow() as uow:
        ended = uow.session.execute(
            delete(WebSession).where(
                or_(
                    col(WebSession.seen_at) < now - timedelta(minutes=s.web_session_idle_minutes),
                    col(WebSession.created_at) < now - timedelta(hours=s.web_session_max_hours),
                )
            )
        ).rowcount
        uow.commit()
    return int(ended or 0)


def count_for(backoffice: Backoffice, account_id: int) -> int:
    """How many sessions an account has (staff and tests)."""
    with backoffice.uow() as uow:
        rows = uow.session.exec(
            select(WebSession.id_digest).where(WebSession.account_id == account_id)
        ).all()
        return len(rows)
