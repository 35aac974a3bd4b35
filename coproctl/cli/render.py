"""The answer of a command that queued mail: what became of each mail, in words and in --json."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from coproctl.cli.output import emit
from coproctl.typography import count

if TYPE_CHECKING:
    from coproctl.backoffice import Backoffice
    from coproctl.mail.state import Delivery, Handover
    from coproctl.services.procedures.codes import CodeSent


# what became of a mail, in the words of a sentence about it
STATUS_TEXT = {
    "sent": "envoyé",
    "written": "écrit dans un fichier, rien n'est envoyé",
    "queued": "en attente d'envoi, pas encore envoyé",
    "retrying": "PAS ENCORE envoyé",
    "failed": "NON envoyé",
}
KIND_TEXT = {
    "update_code": "code de mise à jour",
    "reset_code": "code de nouveau mot de passe",
    "email_change_code": "code de changement d'adresse",
    "password_changed": "avis de changement de mot de passe",
    "email_changed": "avis de changement d'adresse",
    "account_reset": "avis de réinitialisation",
    "account_activated": "confirmation d'activation",
}


def delivery_text(delivery: Delivery | None) -> str:
    """`` (envoyé : accepté par ... )`` after an address, for one line about a mail."""
    if delivery is None:
        return ""
    return f" ({STATUS_TEXT.get(delivery.status, delivery.status)} : {delivery.detail})"


def delivery_lines(deliveries: list[Delivery]) -> list[str]:
    """One line per mail (what became of it, why), then the hint staff can act on."""
    lines = []
    for mail in deliveries:
        kind = KIND_TEXT.get(mail.kind, mail.kind)
        lines.append(
            f"E-mail ({kind}) à {mail.to} : {STATUS_TEXT.get(mail.status, mail.status)} — "
            f"{mail.detail}."
        )
        if mail.hint:
            lines.append(f"    ⇒ {mail.hint}")
    return lines


def code_sent_text(sent: CodeSent, deliveries: list[Delivery]) -> list[str]:
    """What became of a code's mail, first: « envoyé » only when a relay accepted it."""
    from coproctl.clock import paris_text

    validity = (
        f"Code valable {count(sent.minutes, 'minute')} (jusqu'au {paris_text(sent.expires_at)})."
    )
    next_step = f"Étape suivante : coproctl code verify {sent.identifiant}"
    mail = next((d for d in deliveries if d.kind.endswith("_code")), None)
    if mail is None:  # the state could not be read: say nothing untrue
        return [
            f"Code de vérification créé pour {sent.to} ; état de l'envoi inconnu "
            "(« coproctl mail list »).",
            validity,
            next_step,
        ]
    lines = [
        f"Code de vérification {STATUS_TEXT[mail.status]} à {sent.to} : {mail.detail}.",
        validity,
    ]
    if mail.hint:
        lines.append(f"⇒ {mail.hint}")
    if mail.status != "failed":
        lines.append(next_step)
    others = [d for d in deliveries if d is not mail]
    return lines + delivery_lines(others)


def deliver_and_emit(
    json_mode: bool,
    office: Backoffice,
    result: Any,
    human: str | Callable[[], None] | None = None,
) -> None:
    """The answer of a command that queued mail: deliver first, then say what became of it.

    The mails the command's transaction committed are handed over (``deliver_pending``)
    before anything is printed, so the answer tells the truth: under ``--json``, the
    result with ``"delivery": {"status": "sent" | "written" | "queued" | "retrying" |
    "failed", "detail": ..., "messages": [...]}`` (null when no mail was queued); as text,
    ``human`` (a sentence, or a function that prints) then a line per mail, or, without
    ``human``, the code-sent sentence of ``result`` (a ``CodeSent``). The file transport is
    announced on standard error.
    """
    handover: Handover | None = office.deliver_pending()
    deliveries = handover.messages if handover is not None else []
    if json_mode:
        data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
        data["delivery"] = handover.as_dict() if handover is not None else None
        emit(True, data, "")
        return
    if human is None:
        for line in code_sent_text(result, deliveries):
            typer.echo(line)
    else:
        emit(False, result, human)
        for line in delivery_lines(deliveries):
            typer.echo(line)
    if handover is not None and handover.notice:
        typer.echo(handover.notice, err=True)
