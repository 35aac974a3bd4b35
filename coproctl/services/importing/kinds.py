"""The two imports: which columns each reads and what its credential column holds.

``calls-for-funds`` carries the initial password printed on the owners' letters (hashed
with argon2id at import); ``legacy`` carries the old extranet's password hash, stored as is
(:mod:`coproctl.services.importing.legacy`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from coproctl.models import ORIGIN_SYNDIC
from coproctl.security import passwords


@dataclass(frozen=True)
class ImportKind:
    name: str
    allowed: tuple[str, ...]  # fields the reader may recognise
    required_columns: tuple[str, ...]
    required_values: tuple[str, ...]  # fields every account needs a value for
    credential: str  # the field holding the password ("password") or its hash ("password_hash")
    origin: str  # Account.password_origin of what this import stores
    check_secret: Callable[[str], str | None]  # why a credential value is unusable, or None
    hashes: bool  # True: the credential is a password to hash; False: already a hash


def check_initial_password(password: str) -> str | None:
    """The reader has stripped the value and refused control characters already."""
    if len(password) > passwords.MAX_PASSWORD_CHARS:
        return f"mot de passe trop long ({passwords.MAX_PASSWORD_CHARS} caractères au plus)"
    return None


COMMON_FIELDS = (
    "identifiant",
    "owner_ref",
    "last_name",
    "first_name",
    "civility",
    "email",
    "copropriete",
    "copropriete_code",
    "lot",
    "address",
    "postal_code",
    "city",
)

CALLS_FOR_FUNDS = ImportKind(
    name="calls-for-funds",
    allowed=(*COMMON_FIELDS, "password"),
    required_columns=("identifiant", "owner_ref", "last_name"),
    required_values=("owner_ref", "last_name"),
    credential="password",
    origin=ORIGIN_SYNDIC,
    check_secret=check_initial_password,
    hashes=True,
)
