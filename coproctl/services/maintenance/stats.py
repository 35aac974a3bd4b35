"""Migration progress for staff and dashboards: accounts, procedures, codes, mail failures.

Every figure is an aggregate query (no row is loaded but the distinct mail errors). Codes
deleted by ``codes purge`` are still counted through the per-hour tally the purge keeps
(``code_tally``): the windows are exact for the codes still in the table, and to the hour for
purged ones (an hour is counted when it starts inside the window).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from coproctl import clock
from coproctl.backoffice import Backoffice
from coproctl.config import Settings
from coproctl.mail.diagnosis import CAUSE_GROUPS, cause_group
from coproctl.models import (
    MAIL_EXPIRED,
    MAIL_FAILED,
    MAIL_QUEUED,
    MAIL_SENDING,
    MAIL_SENT,
    ORIGIN_OWNER,
    PURPOSES,
    STATUSES,
    Account,
    CodeTally,
    OutboxMessage,
    Owner,
    VerificationCode,
)
from coproctl.services.maintenance.purges import expired_unused

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}
MAIL_STATUSES = (MAIL_QUEUED, MAIL_SENDING, MAIL_SENT, MAIL_FAILED, MAIL_EXPIRED)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class AccountCounts:
    by_status: dict[str, int]
    completed: int  # went through the update procedure (owner's password, verified e-mail)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.by_status,
            "total": self.total,
            "completed": self.completed,
            "completed_share": _share(self.completed, self.total),
        }


@dataclass(frozen=True)
class Stats:
    at: datetime
    owners: int
    accounts: AccountCounts
    locked: int
    procedures: dict[str, dict[str, int]]  # purpose -> state -> count
    codes: dict[str, dict[str, int]]  # window -> issued / verified / expired
    mail_by_status: dict[str, int]
    mail_failures: dict[str, int]  # failed for good, by cause
    mail_retrying: dict[str, int]  # queued again after a transient failure, by cause
    by_copropriete: list[tuple[str | None, AccountCounts]] | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        in_progress = sum(
            counts["code_sent"] + counts["code_verified"] for counts in self.procedures.values()
        )
        data: dict[str, Any] = {
            "at": clock.paris_iso(self.at),
            **self.accounts.as_dict(),
            "owners": self.owners,
            "locked": self.locked,
            "procedures": {
                "in_progress": in_progress,
                "stalled": sum(counts["stalled"] for counts in self.procedures.values()),
                "by_purpose": self.procedures,
            },
            "codes": self.codes,
            "mail": {
                "by_status": self.mail_by_status,
                "failed": sum(self.mail_failures.values()),
                "failures": self.mail_failures,
                "retrying": self.mail_retrying,
            },
        }
        if self.by_copropriete is not None:
            data["by_copropriete"] = [
                {"copropriete": name, **counts.as_dict()} for name, counts in self.by_copropriete
            ]
        return data


def _completed() -> Any:
    return and_(
        Account.password_origin == ORIGIN_OWNER, col(Account.email_verified_at).is_not(None)
    )


def _account_counts(session: Session) -> tuple[AccountCounts, int]:
    by_status = dict.fromkeys(STATUSES, 0)
    completed = locked = 0
    rows = session.execute(
        select(
            Account.status,
            func.count(),
            func.count().filter(_completed()),
            func.count().filter(col(Account.locked_until) > clock.now()),
        ).group_by(Account.status)
    ).all()
    for status, count, done, locked_now in rows:
        by_status[status] = count
        completed += done
        locked += locked_now
    return AccountCounts(by_status, completed), locked


def _by_copropriete(session: Session) -> list[tuple[str | None, AccountCounts]]:
    rows = session.execute(
        select(
            Account.copropriete,
            Account.status,
            func.count(),
            func.count().filter(_completed()),
        ).group_by(Account.copropriete, Account.status)
    ).all()
    groups: dict[str | None, tuple[dict[str, int], list[int]]] = {}
    for name, status, count, done in rows:
        by_status, completed = groups.setdefault(name, (dict.fromkeys(STATUSES, 0), [0]))
        by_status[status] = count
        completed[0] += done
    return [
        (name, AccountCounts(by_status, completed[0]))
        for name, (by_status, completed) in sorted(
            groups.items(), key=lambda item: (item[0] is None, (item[0] or "").lower())
        )
    ]


def _procedures(session: Session, settings: Settings, now: datetime) -> dict[str, dict[str, int]]:
    """Procedures in flight (newest code not superseded nor completed), by purpose and state.

    ``code_sent``: the code can still be used; ``code_verified``: the owner may still choose
    the password; ``stalled``: abandoned (code expired or exhausted, or password window over),
    until ``codes purge`` deletes the dead code.
    """
    vc = VerificationCode
    sent = and_(
        col(vc.verified_at).is_(None),
        col(vc.expires_at) >= now,
        col(vc.attempts) < settings.code_max_attempts,
    )
    verified = col(vc.verified_at) >= now - timedelta(minutes=settings.password_window_minutes)
    rows = session.execute(
        select(vc.purpose, func.count(), func.count().filter(sent), func.count().filter(verified))
        .where(col(vc.superseded_at).is_(None), col(vc.completed_at).is_(None))
        .group_by(vc.purpose)
    ).all()
    result = {purpose: {"code_sent": 0, "code_verified": 0, "stalled": 0} for purpose in PURPOSES}
    for purpose, total, live_sent, live_verified in rows:
        result[purpose] = {
            "code_sent": live_sent,
            "code_verified": live_verified,
            "stalled": total - live_sent - live_verified,
        }
    return result


def _codes(session: Session, now: datetime) -> dict[str, dict[str, int]]:
    vc = VerificationCode
    result: dict[str, dict[str, int]] = {}
    for name, length in WINDOWS.items():
        since = now - length
        expired = and_(expired_unused(now), col(vc.expires_at) >= since)
        issued, verified, gone = session.execute(
            select(
                func.count().filter(col(vc.created_at) >= since),
                func.count().filter(col(vc.verified_at) >= since),
                func.count().filter(expired),
            )
        ).one()
        purged = session.execute(
            select(
                func.coalesce(func.sum(CodeTally.issued), 0),
                func.coalesce(func.sum(CodeTally.verified), 0),
                func.coalesce(func.sum(CodeTally.expired), 0),
            ).where(col(CodeTally.hour) >= since)
        ).one()
        result[name] = {
            "issued": issued + purged[0],
            "verified": verified + purged[1],
            "expired": gone + purged[2],
        }
    return result


def _mail(session: Session) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    om = OutboxMessage
    by_status = dict.fromkeys(MAIL_STATUSES, 0)
    for status, count in session.execute(select(om.status, func.count()).group_by(om.status)):
        by_status[status] = count
    failures = dict.fromkeys(CAUSE_GROUPS, 0)
    retrying = dict.fromkeys(CAUSE_GROUPS, 0)
    rows = session.execute(
        select(om.status, om.smtp_code, om.error, func.count())
        .where(
            or_(
                om.status == MAIL_FAILED,
                and_(om.status == MAIL_QUEUED, col(om.error).is_not(None)),
            )
        )
        .group_by(om.status, om.smtp_code, om.error)
    ).all()
    for status, smtp_code, error, count in rows:
        target = failures if status == MAIL_FAILED else retrying
        target[cause_group(status, smtp_code, error)] += count
    return by_status, failures, retrying


def compute_stats(backoffice: Backoffice, *, by_copropriete: bool = False) -> Stats:
    now = clock.now()
    with backoffice.uow() as uow:
        session = uow.session
        accounts, locked = _account_counts(session)
        by_status, failures, retrying = _mail(session)
        return Stats(
            at=now,
            owners=session.execute(select(func.count()).select_from(Owner)).scalar_one(),
            accounts=accounts,
            locked=locked,
            procedures=_procedures(session, backoffice.settings, now),
            codes=_codes(session, now),
            mail_by_status=by_status,
            mail_failures=failures,
            mail_retrying=retrying,
            by_copropriete=_by_copropriete(session) if by_copropriete else None,
        )
