"""The two imports: which columns each reads and what its credential column holds.

``calls-for-funds`` carries the initial password printed on the owners' letters (hashed
with argon2id at import); ``legacy`` carries the old extranet's password hash, stored in
the form :func:`coproctl.security.legacy.stored_form` gives
(:mod:`coproctl.services.importing.legacy`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from coproctl.models import ORIGIN_SYNDIC
from coproctl.services.importing.hashes import AnyJob, Wrap

# why a credential is unusable whatever the database holds, or None:
# (value, its salt column's value, the construction named by --legacy-scheme)
SecretCheck = Callable[[str, str | None, str | None], str | None]


@dataclass(frozen=True)
class ImportKind:
    name: str
    allowed: tuple[str, ...]  # fields the reader may recognise
    required_columns: tuple[str, ...]
    required_values: tuple[str, ...]  # fields every account needs a value for
    credential: str  # the field holding the password ("password") or its hash ("password_hash")
    origin: str  # Account.password_origin of what this import stores
    check_secret: SecretCheck | None
    # True: the credential is an initial password, checked (``inputs``) when it is set and
    # hashed with argon2id; False: a legacy hash, stored as ``legacy.stored_form`` says
    hashes: bool
    construction: str | None = None  # legacy: how hash and salt column were built

    def job(self, value: str, salt: str | None, current: str | None) -> AnyJob:
        """What the hashing pool computes for ``value`` (checked against ``current``)."""
        if self.hashes:
            return (value, current)
        return Wrap(value, self.construction, salt, current)


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
