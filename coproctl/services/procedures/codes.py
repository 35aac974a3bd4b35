"""Verification codes: issue (with the resend limits), verify (atomically), resend.

An account has at most one procedure in progress: issuing a code supersedes every code of
the account still in flight, whatever its purpose. The procedure in progress is therefore
the account's newest code that is neither superseded nor completed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from coproctl import clock
from coproctl.backoffice import Backoffice
from coproctl.db import UnitOfWork
from coproctl.errors import BadInput, Refused
from coproctl.mail.outbox import last_code_mail_failed
from coproctl.models import (
    ACTIVE,
    DISABLED,
    EMAIL_CHANGE,
    PENDING,
    RESET,
    UPDATE,
    Account,
    Owner,
    VerificationCode,
)
from coproctl.security import codes as code_crypto
from coproctl.services import audit
from coproctl.services.common import get_account, owner_of, refuse, wrong_state
from coproctl.services.procedures import hints, notifications
from coproctl.typography import count

PURPOSE_LABELS = {
    UPDATE: "mise à jour du compte",
    RESET: "mot de passe oublié",
    EMAIL_CHANGE: "changement d'adresse e-mail",
}


@dataclass(frozen=True)
class CodeSent:
    identifiant: str
    purpose: str
    to: str
    expires_at: datetime
    minutes: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "identifiant": self.identifiant,
            "purpose": self.purpose,
            "to": self.to,
            "expires_at": clock.paris_iso(self.expires_at),
            "valid_minutes": self.minutes,
        }


@dataclass(frozen=True)
class CodeVerified:
    """A verified code. For update and reset, ``proof`` is what ``set_password`` requires:
    a random single-use token, kept by the face that verified the code (the owner's
    server-side session, or the staff CLI's proof file) and never shown (not in
    ``as_dict()``); None for an e-mail change, which completes here."""

    identifiant: str
    purpose: str
    next_step: str  # "password_set", "password_set_noted" or "done"
    email: str
    password_deadline: datetime | None
    proof: str | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "identifiant": self.identifiant,
            "purpose": self.purpose,
            "next_step": self.next_step,
            "email": self.email,
            "password_deadline": clock.paris_iso(self.password_deadline),
        }


def in_flight(session: Session, account_id: int) -> VerificationCode | None:
    """The code of the procedure in progress, if any."""
    return session.exec(
        select(VerificationCode)
        .where(
            VerificationCode.account_id == account_id,
            col(VerificationCode.superseded_at).is_(None),
            col(VerificationCode.completed_at).is_(None),
        )
        .order_by(col(VerificationCode.id).desc())
        .limit(1)
    ).first()


def supersede_all(session: Session, account_id: int) -> None:
    """End every procedure of the account still in flight (a new one starts, or staff acts)."""
    session.execute(
        update(VerificationCode)
        .where(
            VerificationCode.account_id == account_id,
            col(VerificationCode.superseded_at).is_(None),
            col(VerificationCode.completed_at).is_(None),
        )
        .values(superseded_at=clock.now())
    )


def _check_resend_limits(
    session: Session, backoffice: Backoffice, account: Account, purpose: str
) -> None:
    s = backoffice.settings
    now = clock.now()
    window_start = now - timedelta(hours=1)
    count, newest, oldest = session.execute(
        select(
            func.count(),
            func.max(VerificationCode.created_at),
            func.min(VerificationCode.created_at),
        ).where(
            VerificationCode.account_id == account.id,
            VerificationCode.purpose == purpose,
            col(VerificationCode.created_at) > window_start,
        )
    ).one()
    # a code whose mail was refused for good (5xx, unusable address) lifts the cooldown: the
    # owner corrects the address at once; the hourly cap below still counts it
    if newest is not None and not last_code_mail_failed(session, account.id, purpose):
        next_at = clock.as_utc(newest) + timedelta(seconds=s.code_resend_cooldown_seconds)
        if now < next_at:
            wait = int((next_at - now).total_seconds()) + 1
            raise Refused(
                "resend_too_soon",
                f"Un code vient d'être envoyé : attendez {wait} s avant d'en demander un autre "
                f"(possible à partir du {clock.paris_text(next_at)}:{next_at.second:02d}).",
                next_at=clock.paris_iso(next_at),
            )
    if count >= s.code_max_per_hour and oldest is not None:
        next_at = clock.as_utc(oldest) + timedelta(hours=1)
        raise Refused(
            "resend_limit",
            f"Trop de codes demandés en une heure ({s.code_max_per_hour} au plus) : "
            f"un nouveau code pourra être envoyé à partir du {clock.paris_text(next_at)}.",
            next_at=clock.paris_iso(next_at),
        )


def issue(
    uow: UnitOfWork,
    backoffice: Backoffice,
    account: Account,
    owner: Owner,
    purpose: str,
    target_email: str,
) -> CodeSent:
    """Check the resend limits, supersede what was in flight, store the HMAC, queue the mail.

    Raises ``Refused`` (resend_too_soon, resend_limit) without changing anything.
    """
    assert account.id is not None
    session = uow.session
    _check_resend_limits(session, backoffice, account, purpose)
    previous = in_flight(session, account.id)
    supersede_all(session, account.id)
    minutes = backoffice.settings.code_ttl_minutes(purpose)
    now = clock.now()
    plain = code_crypto.generate_code()
    row = VerificationCode(
        account_id=account.id,
        purpose=purpose,
        digest=code_crypto.code_digest(backoffice.secret_key, purpose, account.id, plain),
        target_email=target_email,
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    session.add(row)
    session.flush()
    replaces = previous is not None and previous.purpose == purpose
    notifications.send_code(uow, backoffice, owner, account, row, plain, replaces=replaces)
    return CodeSent(account.identifiant, purpose, target_email, row.expires_at, minutes)


def _matches_superseded(
    session: Session, backoffice: Backoffice, account_id: int, typed: str
) -> bool:
    recent = session.exec(
        select(VerificationCode)
        .where(
            VerificationCode.account_id == account_id,
            col(VerificationCode.superseded_at).is_not(None),
            col(VerificationCode.created_at) > clock.now() - timedelta(days=1),
        )
        .order_by(col(VerificationCode.id).desc())
        .limit(20)
    ).all()
    found = False
    for row in recent:  # every row is compared: no early exit to time
        found |= code_crypto.matches(
            backoffice.secret_key, row.purpose, account_id, typed, row.digest
        )
    return found


def bad_code_format() -> BadInput:
    """A typing slip, not a guess: refused before the code is looked at (no try used)."""
    return BadInput(
        "bad_code_format",
        f"Le code reçu par e-mail compte {code_crypto.CODE_DIGITS} chiffres (les espaces ne "
        "comptent pas : 6776 1939) : vérifiez ce qui a été tapé.",
    )


def _superseded(identifiant: str) -> Refused:
    return Refused(
        "code_superseded",
        "Ce code a été remplacé par un code plus récent : utilisez le dernier code reçu.",
        hint=hints.latest_code(identifiant),
    )


def _state_refusal(row: VerificationCode, max_attempts: int, identifiant: str) -> Refused | None:
    """Why this code can no longer be used, or None if it still can."""
    if row.superseded_at is not None:
        return _superseded(identifiant)
    if row.verified_at is not None:
        return _code_used(row, identifiant)
    if row.attempts >= max_attempts:
        return Refused(
            "code_attempts_exhausted",
            "Trop d'essais avec ce code : il est annulé. Demandez un nouveau code.",
            hint=hints.new_code(identifiant),
        )
    if clock.as_utc(row.expires_at) < clock.now():
        return Refused(
            "code_expired",
            f"Ce code a expiré (il était valable jusqu'au {clock.paris_text(row.expires_at)}). "
            "Demandez un nouveau code.",
            hint=hints.new_code(identifiant),
        )
    return None


def _code_used(row: VerificationCode, identifiant: str) -> Refused:
    hint = (
        hints.choose_password(identifiant, noted=row.purpose == RESET)
        if row.completed_at is None and row.purpose in (UPDATE, RESET)
        else None
    )
    return Refused("code_used", "Ce code a déjà été utilisé.", hint=hint)


def _no_procedure(account: Account, message: str) -> Refused:
    return wrong_state(message, hint=hints.start(account))


def verify_code(backoffice: Backoffice, identifiant: str, typed: str) -> CodeVerified:
    """Check the code of the procedure in progress; consume it if right (exactly once).

    A code that is not 8 digits once blanks are removed is refused (``bad_code_format``,
    exit 2) before anything: a slip costs no try.
    """
    action = "code.verify"
    s = backoffice.settings
    if not code_crypto.well_formed(typed):
        raise bad_code_format()
    with backoffice.uow() as uow:
        session = uow.session
        account = get_account(session, identifiant, lock=True)
        assert account.id is not None
        row = in_flight(session, account.id)
        who = account.identifiant
        if row is None:
            if _matches_superseded(session, backoffice, account.id, typed):
                raise refuse(uow, backoffice, action, _superseded(who), account=account)
            raise refuse(
                uow,
                backoffice,
                action,
                _no_procedure(
                    account, "Aucune procédure en cours sur ce compte : aucun code n'est attendu."
                ),
                account=account,
            )
        details = {"purpose": row.purpose}
        refusal = _state_refusal(row, s.code_max_attempts, who)
        if refusal is not None:
            raise refuse(uow, backoffice, action, refusal, account=account, **details)

        if code_crypto.matches(backoffice.secret_key, row.purpose, account.id, typed, row.digest):
            now = clock.now()
            won = session.execute(
                update(VerificationCode)
                .where(
                    VerificationCode.id == row.id,
                    col(VerificationCode.verified_at).is_(None),
                    col(VerificationCode.superseded_at).is_(None),
                    col(VerificationCode.attempts) < s.code_max_attempts,
                    col(VerificationCode.expires_at) >= now,
                )
                .values(verified_at=now)
            ).rowcount
            if won != 1:
                session.refresh(row)
                refusal = _state_refusal(row, s.code_max_attempts, who) or _code_used(row, who)
                raise refuse(uow, backoffice, action, refusal, account=account, **details)
            row.verified_at = now
            return _verified(uow, backoffice, account, row)

        if _matches_superseded(session, backoffice, account.id, typed):
            raise refuse(uow, backoffice, action, _superseded(who), account=account, **details)
        attempts = session.execute(
            update(VerificationCode)
            .where(
                VerificationCode.id == row.id,
                col(VerificationCode.verified_at).is_(None),
                col(VerificationCode.attempts) < s.code_max_attempts,
            )
            .values(attempts=VerificationCode.attempts + 1)
            .returning(VerificationCode.attempts)
        ).scalar_one_or_none()
        if attempts is None:
            session.refresh(row)
            refusal = _state_refusal(row, s.code_max_attempts, who) or _code_used(row, who)
            raise refuse(uow, backoffice, action, refusal, account=account, **details)
        left = s.code_max_attempts - attempts
        if left <= 0:
            raise refuse(
                uow,
                backoffice,
                action,
                Refused(
                    "code_attempts_exhausted",
                    "Code incorrect. C'était le dernier essai permis : ce code est annulé, "
                    "demandez un nouveau code.",
                    hint=hints.new_code(who),
                ),
                account=account,
                attempts=attempts,
                **details,
            )
        raise refuse(
            uow,
            backoffice,
            action,
            Refused(
                "code_invalid",
                f"Code incorrect. Il vous reste {count(left, 'essai')}.",
                attempts_left=left,
            ),
            account=account,
            attempts=attempts,
            **details,
        )


def _verified(
    uow: UnitOfWork, backoffice: Backoffice, account: Account, row: VerificationCode
) -> CodeVerified:
    session = uow.session
    now = clock.now()
    if row.purpose == EMAIL_CHANGE:
        owner = owner_of(session, account)
        old_address = account.email if account.email_verified_at is not None else None
        account.email = row.target_email
        account.email_verified_at = now
        account.updated_at = now
        row.completed_at = now
        session.add_all([account, row])
        if old_address and old_address.lower() != row.target_email.lower():
            notifications.email_changed(uow, backoffice, owner, account, old_address)
        audit.record(session, backoffice.actor, "code.verify", account=account, purpose=row.purpose)
        audit.record(session, backoffice.actor, "email.changed", account=account)
        uow.commit()
        return CodeVerified(account.identifiant, row.purpose, "done", row.target_email, None)
    deadline = now + timedelta(minutes=backoffice.settings.password_window_minutes)
    assert row.id is not None
    assert account.id is not None
    proof = code_crypto.generate_proof()
    row.proof_digest = code_crypto.proof_digest(backoffice.secret_key, row.id, account.id, proof)
    session.add(row)
    audit.record(session, backoffice.actor, "code.verify", account=account, purpose=row.purpose)
    uow.commit()
    step = "password_set_noted" if row.purpose == RESET else "password_set"
    return CodeVerified(account.identifiant, row.purpose, step, row.target_email, deadline, proof)


def resend_code(backoffice: Backoffice, identifiant: str) -> CodeSent:
    """A new code for the procedure in progress ("recevoir un nouveau code")."""
    action = "code.resend"
    with backoffice.uow() as uow:
        session = uow.session
        account = get_account(session, identifiant, lock=True)
        assert account.id is not None
        row = in_flight(session, account.id)
        if row is None:
            raise refuse(
                uow,
                backoffice,
                action,
                _no_procedure(
                    account, "Aucune procédure en cours sur ce compte : rien à renvoyer."
                ),
                account=account,
            )
        # a code already verified may be replaced too: whoever lost its proof (another
        # machine, an expired web session) verifies a new code; the old proof dies with it
        expected_status = PENDING if row.purpose == UPDATE else ACTIVE
        if account.status != expected_status:
            error = (
                Refused("account_disabled", "Ce compte est désactivé.", hint=hints.start(account))
                if account.status == DISABLED
                else _no_procedure(
                    account, "La procédure en cours ne correspond plus à l'état du compte."
                )
            )
            raise refuse(uow, backoffice, action, error, account=account, purpose=row.purpose)
        owner = owner_of(session, account)
        try:
            sent = issue(uow, backoffice, account, owner, row.purpose, row.target_email)
        except Refused as error:
            raise refuse(
                uow, backoffice, action, error, account=account, purpose=row.purpose
            ) from None
        audit.record(
            session,
            backoffice.actor,
            action,
            account=account,
            purpose=row.purpose,
            to=row.target_email,
        )
        uow.commit()
        return sent
