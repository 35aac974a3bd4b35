"""Importing the old extranet's accounts with their password hashes (``import legacy``).

The same stages as the call-for-funds import (:mod:`coproctl.services.importing`), with a hash
instead of a password: its scheme is identified by passlib from the hash itself, never
guessed from a column name, and a hash no accepted scheme recognises rejects its line.
Accounts arrive ``pending``; at login the legacy hash verifies, and is replaced by argon2id
(``verify_and_update``), then by the owner's own password when the update procedure ends.
"""

from __future__ import annotations

from coproctl.importers.fields import OWNER_FIELDS
from coproctl.models import ORIGIN_LEGACY
from coproctl.security import passwords
from coproctl.services.importing.kinds import ImportKind

SCHEMES_TEXT = ", ".join(passwords.LEGACY_SCHEMES)


def check_legacy_hash(value: str) -> str | None:
    """Why ``value`` is not a usable hash, or None."""
    scheme = passwords.identify(value)
    if scheme is None:
        return f"format d'empreinte non reconnu (formats acceptés : {SCHEMES_TEXT}, argon2)"
    try:
        parsed = passwords.CONTEXT.handler(scheme).from_string(value)
    except (ValueError, TypeError):
        return f"empreinte {scheme} mal formée"
    if getattr(parsed, "checksum", True) is None:
        return f"empreinte {scheme} incomplète (sans somme de contrôle)"
    return None


LEGACY = ImportKind(
    name="legacy",
    allowed=(
        "identifiant",
        "owner_ref",
        *OWNER_FIELDS,
        "email",
        "copropriete",
        "copropriete_code",
        "lot",
        "password_hash",
    ),
    required_columns=("identifiant", "owner_ref", "last_name", "password_hash"),
    required_values=("owner_ref", "last_name"),
    credential="password_hash",
    origin=ORIGIN_LEGACY,
    check_secret=check_legacy_hash,
    hashes=False,
)
