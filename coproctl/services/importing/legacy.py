"""Importing the old extranet's accounts with their password hashes (``import legacy``).

The same stages as the call-for-funds import (:mod:`coproctl.services.importing`), with a
hash instead of a password. :func:`coproctl.security.legacy.describe` says what each hash
is from the hash itself, never from a column name; one that cannot be used rejects its line
with the format in words staff know and the next step (``account reset``). A weak hash is
stored wrapped in argon2id (computed by the hashing pool), a strong one as it is. Accounts
arrive ``pending``; at login the legacy hash verifies and is replaced by argon2id.

A salt in its own column (a Joomla table exported as ``password`` + ``salt``) is never
ignored: the file names how hash and salt were combined (``--legacy-scheme``), or it is
refused as a whole.
"""

from __future__ import annotations

from dataclasses import replace

from coproctl.errors import BadInput
from coproctl.importers.fields import OWNER_FIELDS
from coproctl.models import ORIGIN_LEGACY
from coproctl.services.importing.kinds import ImportKind


def check_legacy_hash(value: str, salt: str | None, construction: str | None) -> str | None:
    """Why ``value`` (with its salt column's value) cannot be stored, or None."""
    from coproctl.security import legacy

    described = legacy.describe(value, construction=construction, salt=salt)
    return None if described.supported else described.problem


def constructions() -> list[str]:
    """The names ``--legacy-scheme`` accepts."""
    from coproctl.security import legacy

    return list(legacy.CONSTRUCTIONS)


def with_scheme(kind: ImportKind, name: str | None) -> ImportKind:
    """``kind`` with the construction ``--legacy-scheme`` names (spelling forgiven)."""
    if name is None:
        return kind
    from coproctl.security import legacy

    canonical = legacy.canonical_construction(name)
    if canonical is None:
        raise BadInput(
            "bad_legacy_scheme",
            f"--legacy-scheme « {name} » : construction inconnue. Constructions possibles : "
            f"{', '.join(legacy.CONSTRUCTIONS)}.",
        )
    return replace(kind, construction=canonical)


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
        "salt",
    ),
    required_columns=("identifiant", "owner_ref", "last_name", "password_hash"),
    required_values=("owner_ref", "last_name"),
    credential="password_hash",
    origin=ORIGIN_LEGACY,
    check_secret=check_legacy_hash,
    hashes=False,
)
