"""The words staff read for the stable English codes (``pending`` -> « en attente »), the
filters that accept both, and shell completion of statuses and identifiants.

``--json`` keeps the codes; text output shows these labels, never a code inside a French
sentence.
"""

from __future__ import annotations

import typer

from coproctl.errors import BadInput
from coproctl.folding import fold

STATUS = {"pending": "en attente", "active": "actif", "disabled": "désactivé"}
STATUS_LONG = {
    "pending": "en attente de mise à jour",
    "active": "actif",
    "disabled": "désactivé",
}
ORIGIN = {
    "syndic": "mot de passe initial (courrier)",
    "legacy": "ancien mot de passe de l'extranet (importé)",
    "owner": "choisi par le propriétaire",
}
PURPOSE = {
    "update": "mise à jour (première connexion)",
    "reset": "mot de passe oublié",
    "email-change": "changement d'e-mail",
}
PROCEDURE_STATE = {
    "code_sent": "code à saisir",
    "code_verified": "code validé, mot de passe à choisir",
}
LOCK = {"staff": "par le personnel", "failed_logins": "après des échecs de connexion"}

# every way staff may type a status, folded -> the code
_STATUS_WORDS = {
    **{code: code for code in STATUS},
    "en attente": "pending",
    "attente": "pending",
    "en attente de mise a jour": "pending",
    "actif": "active",
    "actifs": "active",
    "active": "active",
    "desactive": "disabled",
    "desactives": "disabled",
    "desactivee": "disabled",
}


def label(table: dict[str, str], code: str | None) -> str:
    """The French label of a code; an unknown code is shown as it is."""
    if code is None:
        return ""
    return table.get(code, code)


def parse_status(text: str | None) -> str | None:
    """``actif``, ``"en attente"``, ``Désactivé`` or the code itself -> the code."""
    if text is None:
        return None
    code = _STATUS_WORDS.get(fold(text))
    if code is None:
        raise BadInput(
            "bad_status",
            f"Statut inconnu « {text} » : en attente, actif ou désactivé "
            "(ou pending, active, disabled).",
        )
    return code


def complete_status(incomplete: str) -> list[str]:
    """Completion of ``--status``: the French labels, then the codes."""
    candidates = [*STATUS.values(), *STATUS]
    folded = fold(incomplete)
    return [c for c in candidates if fold(c).startswith(folded)]


def complete_identifiant(ctx: typer.Context, incomplete: str) -> list[str]:
    """Completion of an identifiant from the database (nothing when it cannot be read)."""
    try:
        from coproctl.config import load_settings
        from coproctl.services.office import open_backoffice
        from coproctl.services.owners.accounts import identifiants_starting

        root = ctx.find_root()
        settings = load_settings(root.params.get("config"), database_url=root.params.get("db"))
        with open_backoffice(settings, "completion") as office:
            return identifiants_starting(office, incomplete)
    except Exception:  # completion must never fail a shell
        return []


def complete_mail_kind(incomplete: str) -> list[str]:
    """Completion of a mail template kind (``mail preview``, ``mail list --kind``)."""
    from coproctl.mail.templates import KINDS

    return [kind for kind in KINDS if kind.startswith(incomplete)]
