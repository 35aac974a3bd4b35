"""Human renderings shared by several commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coproctl.services.procedures.codes import CodeSent


def details_text(details: dict[str, Any]) -> str:
    """An audit event's details on one line: ``key=value, ...``."""
    return ", ".join(f"{key}={value}" for key, value in details.items() if value is not None)


def code_sent_text(sent: CodeSent) -> str:
    from coproctl.clock import paris_text

    return (
        f"Code de vérification envoyé à {sent.to}, valable {sent.minutes} minutes "
        f"(jusqu'au {paris_text(sent.expires_at)}). Étape suivante : coproctl code verify "
        f"{sent.identifiant}"
    )
