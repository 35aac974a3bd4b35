"""Paramètres, for a signed-in owner: the contact e-mail and the password.

Both ask for the current password again (``start_email_change``, ``change_password``
check it, and count a wrong one towards the lock). A password changed here ends every other
session of the account; this one stays open.
"""

from __future__ import annotations

from coproctl.backoffice import Backoffice
from coproctl.models import EMAIL_CHANGE
from coproctl.services.procedures.codes import CodeSent, resend_code, verify_code
from coproctl.services.procedures.email_change import start_email_change
from coproctl.services.procedures.new_password import PasswordChanged, change_password
from coproctl.services.web import sessions, signin, steps
from coproctl.services.web.sessions import OwnerSession
from coproctl.typography import count


def send_email_code(
    backoffice: Backoffice,
    current: OwnerSession,
    password: str,
    email: str,
    confirm_email: str,
    *,
    accept_unusual_domain: bool = False,
) -> CodeSent:
    """The new address typed twice and the current password: a code goes to the new
    address."""
    steps.require_signed_in(current)
    steps.required(password, "current_password", "Saisissez votre mot de passe actuel.")
    steps.required(email, "email", "Saisissez la nouvelle adresse e-mail.")
    steps.required(
        confirm_email, "confirm_email", "Saisissez une seconde fois la nouvelle adresse."
    )
    sent = start_email_change(
        backoffice,
        current.state["identifiant"],
        password,
        email,
        confirm_email,
        accept_unusual_domain=accept_unusual_domain,
    )
    steps.set_step(current, steps.EMAIL_CODE, sent_to=sent.to, minutes=sent.minutes)
    sessions.save(backoffice, current)
    return sent


def resend_email_code(backoffice: Backoffice, current: OwnerSession) -> CodeSent:
    steps.require_signed_in(current)
    steps.require(current, steps.EMAIL_CODE)
    sent = resend_code(backoffice, current.state["identifiant"])
    steps.notice(
        current, f"Un nouveau code, valable {count(sent.minutes, 'minute')}, a été envoyé."
    )
    sessions.save(backoffice, current)
    return sent


def check_email_code(backoffice: Backoffice, current: OwnerSession, typed: str) -> str:
    """The code sent to the new address: the address switches (a notice goes to the old
    one); the new address is returned."""
    steps.require_signed_in(current)
    steps.require(current, steps.EMAIL_CODE)
    steps.required(typed, "code", "Saisissez le code reçu par e-mail.")
    verified = verify_code(backoffice, current.state["identifiant"], typed)
    if verified.purpose != EMAIL_CHANGE:
        raise steps.WrongStep(steps.current(current))
    steps.set_step(current, steps.SPACE)
    steps.notice(current, f"Votre adresse e-mail de contact est désormais {verified.email}.")
    sessions.save(backoffice, current)
    return verified.email


def cancel_email_change(backoffice: Backoffice, current: OwnerSession) -> None:
    """Back to the settings without entering the code (the code simply expires)."""
    steps.require_signed_in(current)
    steps.set_step(current, steps.SPACE)
    sessions.save(backoffice, current)


def new_password(
    backoffice: Backoffice,
    current: OwnerSession,
    password: str,
    new: str,
    confirmation: str,
    *,
    noted: bool,
) -> PasswordChanged:
    """Current, new and confirmation, noted. Every other session of the account ends."""
    steps.require_signed_in(current)
    steps.required(password, "current_password", "Saisissez votre mot de passe actuel.")
    steps.required(new, "password", "Saisissez votre nouveau mot de passe.")
    steps.required(confirmation, "confirmation", "Saisissez une seconde fois le mot de passe.")
    changed = change_password(
        backoffice, current.state["identifiant"], password, new, confirmation, noted=noted
    )
    signin.restamp(backoffice, current)
    steps.set_step(current, steps.SPACE)
    steps.notice(current, "Votre nouveau mot de passe est activé.")
    sessions.save(backoffice, current)
    assert current.account_id is not None
    sessions.end_others(backoffice, [current.account_id], keep=current)
    return changed
