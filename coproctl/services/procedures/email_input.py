"""A contact e-mail typed twice by an owner: syntax, confirmation, likely typos."""

from __future__ import annotations

from coproctl.addresses import InvalidEmail, normalise_email, same_address, suggest_domain_fix
from coproctl.errors import Refused


def checked_email(email: str, confirmation: str, *, accept_unusual_domain: bool = False) -> str:
    """The normalised address, or a refusal naming what is wrong with it."""
    try:
        address = normalise_email(email)
    except InvalidEmail as exc:
        raise Refused("email_invalid", f"Adresse e-mail invalide : {exc.message_fr}") from None
    try:
        confirmed = normalise_email(confirmation)
    except InvalidEmail:
        confirmed = None
    if confirmed is None or not same_address(address, confirmed):
        raise Refused(
            "email_mismatch",
            "Les deux adresses e-mail saisies sont différentes : tapez la même adresse deux fois.",
        )
    if not accept_unusual_domain:
        suggestion = suggest_domain_fix(address)
        if suggestion is not None:
            raise Refused(
                "email_typo",
                f"L'adresse {address} contient peut-être une faute de frappe : vouliez-vous "
                f"dire {suggestion} ?",
                # staff only: an owner's page offers its own way to keep the address
                hint="Si l'adresse est juste, confirmez-la avec --accept-domain.",
                suggestion=suggestion,
            )
    return address
