"""How mail goes out, as ``init`` and ``config show`` tell staff: transport, relay, TLS, sender.

And what is missing: the syndic's name, phone and client-space address that every mail's
signature and "appelez votre service de syndic" use (``init`` warns while they are unset).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coproctl.config import Settings
from coproctl.mail.transports import describe, file_folder, transport_key

TLS_TEXT = {
    "none": "aucun (et donc pas d'identifiant SMTP)",
    "starttls": "STARTTLS",
    "ssl": "TLS dès la connexion (SSL)",
    "none-insecure-login": "aucun, identifiant envoyé en clair (relais local de confiance)",
}
SYNDIC_SETTINGS = ("syndic_name", "syndic_phone", "syndic_url")


@dataclass(frozen=True)
class MailSummary:
    transport: str  # transports.transport_key
    delivery: str
    host: str | None
    port: int | None
    tls: str | None
    login: str | None  # the SMTP user (never the password)
    sender: str
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "transport": self.transport,
            "delivery": self.delivery,
            "host": self.host,
            "port": self.port,
            "tls": self.tls,
            "login": self.login,
            "sender": self.sender,
            "warnings": self.warnings,
        }

    def lines(self) -> list[tuple[str, str]]:
        """Label / value pairs for a human rendering."""
        pairs = [("Envoi des e-mails", describe(self.transport))]
        if self.host is not None:
            pairs += [
                ("Serveur SMTP", f"{self.host}, port {self.port}"),
                ("Chiffrement (SMTP_TLS)", TLS_TEXT.get(self.tls or "", self.tls or "")),
                ("Identifiant SMTP", self.login or "aucun"),
            ]
        pairs += [
            ("Expéditeur (MAIL_FROM)", self.sender),
            (
                "Distribution (MAIL_DELIVERY)",
                "immédiate, après chaque commande"
                if self.delivery == "immediate"
                else "en file d'attente, par « coproctl mail send » (cron)",
            ),
        ]
        return pairs


def mail_summary(settings: Settings) -> MailSummary:
    smtp = settings.resolved_mail_transport() == "smtp"
    warnings = []
    missing = [name.upper() for name in SYNDIC_SETTINGS if not getattr(settings, name).strip()]
    if missing:
        warnings.append(
            f"Réglages {', '.join(missing)} non renseignés : les e-mails disent « votre service "
            "de syndic » sans le nommer ni donner son téléphone ou l'adresse de l'espace client."
        )
    folder = file_folder(settings)
    if folder is not None:
        warnings.append(f"E-mails écrits dans {folder}, rien n'est envoyé (MAIL_TRANSPORT).")
    return MailSummary(
        transport=transport_key(settings),
        delivery=settings.mail_delivery,
        host=settings.smtp_host if smtp else None,
        port=settings.smtp_port if smtp else None,
        tls=settings.smtp_tls if smtp else None,
        login=(settings.smtp_user or None) if smtp else None,
        sender=settings.mail_from,
        warnings=warnings,
    )
