"""Forgotten password, step 1: same answer, same time, whatever the account.

If the identifiant and the e-mail designate an active account with that verified address,
a ``reset`` code is sent; in every other case nothing is sent. The owner cannot tell which:
the answer is the same text, returned after the same time (a floor the service pads to).
Why a code was or was not sent is recorded in the audit trail and returned apart, as a
``staff_note`` that only a staff face shows (the CLI, on standard error): an owner's page
never shows it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from coproctl.addresses import InvalidEmail, normalise_email, same_address
from coproctl.backoffice import Backoffice
from coproctl.errors import Refused
from coproctl.models import DISABLED, PENDING, RESET, Account
from coproctl.security import codes as code_crypto
from coproctl.services import audit
from coproctl.services.common import find_account, owner_of
from coproctl.services.procedures.codes import issue
from coproctl.typography import count


@dataclass(frozen=True)
class StaffNote:
    """For staff only: why a code was or was not sent, and what to do next."""

    code: str  # "code_sent" (handed over to delivery), or why nothing was sent
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class ForgotAnswer:
    """The owner's ``answer`` (identical in every case) and the ``staff_note``.

    ``as_dict()`` holds the answer alone: a face that renders the result as it is can never
    show the note to an owner."""

    answer: str
    staff_note: StaffNote = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.answer}


# the staff note of each case: what happened, then the next step
_STAFF_NOTES = {
    # the command answers as it hands the code to a detached deliverer (or to cron, with
    # MAIL_DELIVERY=queue): it cannot know yet whether the relay took it
    "code_sent": (
        "code remis à l'envoi, vers l'adresse vérifiée du compte",
        "le propriétaire le saisit : coproctl code verify {identifiant} (ce qu'est devenu "
        "l'e-mail : coproctl account show {identifiant})",
    ),
    "unknown_identifiant": (
        "aucun code envoyé — identifiant inconnu",
        "cherchez le compte : coproctl account list --search NOM",
    ),
    "account_pending": (
        "aucun code envoyé — compte en attente de mise à jour",
        "première connexion avec le mot de passe du courrier : coproctl update start "
        "{identifiant} (courrier perdu : coproctl account reset {identifiant})",
    ),
    "account_disabled": (
        "aucun code envoyé — compte désactivé",
        "si l'accès doit être rétabli : coproctl account enable {identifiant}",
    ),
    "no_verified_email": (
        "aucun code envoyé — aucune adresse vérifiée sur ce compte",
        "coproctl account reset {identifiant} (nouveau mot de passe par courrier)",
    ),
    "email_mismatch": (
        "aucun code envoyé — ce n'est pas l'adresse vérifiée du compte",
        "vérifiez l'adresse avec le propriétaire : coproctl account show {identifiant}",
    ),
    "resend_too_soon": (
        "aucun code envoyé — un code vient d'être envoyé",
        "le propriétaire saisit le dernier code reçu, ou coproctl code resend {identifiant} "
        "dans une minute",
    ),
    "resend_limit": (
        "aucun code envoyé — trop de codes demandés en une heure",
        "réessayez dans une heure (coproctl account show {identifiant})",
    ),
}


def staff_note(reason: str | None, identifiant: str) -> StaffNote:
    code = reason or "code_sent"
    what, step = _STAFF_NOTES.get(code, (f"aucun code envoyé — {code}", ""))
    message = f"pour le personnel : {what}"
    if step:
        message += " ; étape suivante : " + step.format(identifiant=identifiant)
    return StaffNote(code, message + ".")


ANSWER = (
    "Si l'identifiant et l'adresse e-mail correspondent à un compte à jour, un code de "
    "vérification vient d'être envoyé à cette adresse. Il est valable {minutes}."
)


def forgot_password(backoffice: Backoffice, identifiant: str, email: str) -> ForgotAnswer:
    """The owner's answer, identical in every case, and the note for staff."""
    started = time.monotonic()
    action = "password.forgot"
    answer = ANSWER.format(minutes=count(backoffice.settings.code_ttl_reset_minutes, "minute"))
    try:
        typed = normalise_email(email)
    except InvalidEmail:
        typed = None
    # the work a matching request does, done for every request: same cost whatever happens
    code_crypto.code_digest(backoffice.secret_key, RESET, 0, code_crypto.generate_code())
    with backoffice.uow() as uow:
        session = uow.session
        account = find_account(session, identifiant, lock=True)
        reason = _why_nothing_is_sent(account, typed)
        if reason is None and account is not None:
            try:
                issue(
                    uow, backoffice, account, owner_of(session, account), RESET, account.email or ""
                )
            except Refused as refusal:  # resend limits: silently, like every other case
                reason = refusal.code
        if reason is None:
            audit.record(session, backoffice.actor, action, account=account)
        else:
            audit.record(
                session,
                backoffice.actor,
                action,
                "nothing_sent",
                account=account,
                identifiant=None
                if account is not None
                else audit.identifiant_tag(backoffice.secret_key, identifiant),
                reason=reason,
            )
        uow.commit()
        note = staff_note(reason, account.identifiant if account is not None else "")
    floor = backoffice.settings.enumeration_floor_ms / 1000
    elapsed = time.monotonic() - started
    if elapsed < floor:
        time.sleep(floor - elapsed)
    return ForgotAnswer(answer, note)


def _why_nothing_is_sent(account: Account | None, typed: str | None) -> str | None:
    """Why no reset code may go (recorded in the audit trail only), or None if one may."""
    if account is None:
        return "unknown_identifiant"
    if account.status == PENDING:
        return "account_pending"
    if account.status == DISABLED:
        return "account_disabled"
    if not account.email or account.email_verified_at is None:
        return "no_verified_email"
    if typed is None or not same_address(typed, account.email):
        return "email_mismatch"
    return None
