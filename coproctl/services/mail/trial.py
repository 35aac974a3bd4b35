"""``mail test ADRESSE``: one real message through the configured transport, and its answer.

The message does not go through the outbox (nothing is queued, nothing retried): it checks
the settings as they are, now, and says what the relay answered, or what failed —
connection, TLS negotiation, authentication, or the relay refusing the message — with the
same hints as a failed owner's mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coproctl import clock
from coproctl.addresses import InvalidEmail, normalise_email
from coproctl.config import Settings
from coproctl.errors import BadInput
from coproctl.mail.compose import compose
from coproctl.mail.diagnosis import hint
from coproctl.mail.outbox import syndic_values
from coproctl.mail.transports import DeliveryError, describe, make_transport, transport_key

TEXT = """Bonjour,

Ceci est un message d'essai de coproctl, envoyé le {moment} (heure de Paris) par {actor}, pour
vérifier les réglages d'envoi des e-mails : {transport}, expéditeur {sender}.

S'il vous est parvenu, l'envoi fonctionne : vous n'avez rien à faire.

{signature}
"""


@dataclass
class _TrialRow:
    id: int
    kind: str
    to_addr: str
    subject: str
    body_text: str
    body_html: str | None
    message_id: str | None


@dataclass(frozen=True)
class TrialResult:
    to: str
    transport: str  # transports.transport_key
    ok: bool
    reply: str  # what the relay answered, or what failed
    hint: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "transport": self.transport,
            "ok": self.ok,
            "reply": self.reply,
            "hint": self.hint,
        }


def send_trial(settings: Settings, to: str, actor: str) -> TrialResult:
    """Send the trial message to ``to``; raises ``BadInput`` for an unusable address."""
    try:
        address = normalise_email(to)
    except InvalidEmail as exc:
        raise BadInput("bad_email", f"Adresse e-mail invalide : {exc}") from None
    key = transport_key(settings)
    syndic = syndic_values(settings)
    body = TEXT.format(
        moment=clock.paris_text(clock.now()),
        actor=actor,
        transport=describe(key),
        sender=settings.mail_from,
        signature="\n".join(v for v in (syndic["syndic_name"], syndic["syndic_contact"]) if v),
    )
    row = _TrialRow(0, "test", address, "Message d'essai de coproctl", body, None, None)
    try:
        outgoing = compose(row, settings)
    except ValueError as exc:
        raise BadInput("bad_email", f"Adresse e-mail inutilisable : {exc}") from None
    transport = make_transport(settings)
    try:
        reply = transport.send(outgoing) or "accepté"
    except DeliveryError as exc:
        status = "failed" if exc.permanent else "queued"
        return TrialResult(address, key, False, str(exc), hint(status, exc.smtp_code, str(exc)))
    finally:
        transport.close()
    return TrialResult(address, key, True, reply, None)
