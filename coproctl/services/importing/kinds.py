"""The two imports: which columns each reads and what its credential column holds.

``calls-for-funds`` carries the initial password printed on the owners' letters (hashed
with argon2id at import); ``legacy`` carries the old extranet's password hash, stored as is
(:mod:`coproctl.services.importing.legacy`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from coproctl.models import ORIGIN_SYNDIC


@dataclass(frozen=True)
class ImportKind:
    name: str
    allowed: tuple[str, ...]  # fields the reader may recognise
    required_columns: tuple[str, ...]
    required_values: tuple[str, ...]  # fields every account needs a value for
    credential: str  # the field holding the password ("password") or its hash ("password_hash")
    origin: str  # Account.password_origin of what this import stores
    # why a credential value is unusable whatever the database holds, or None
    check_secret: Callable[[str], str | None] | None
    # True: the credential is an initial password, checked (``inputs``) when it is set and
    # hashed; False: already a hash
    hashes: bool


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
    check_secret=None,
    hashes=True,
)
