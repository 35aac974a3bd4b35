"""Password hashing with passlib's ``CryptContext`` (installed as ``libpass``).

New hashes are argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1). The legacy
schemes of the old extranet are accepted for verification only: they are deprecated, so a
successful check returns an argon2id replacement (``verify_and_update``).
"""

from __future__ import annotations

import secrets
import string
from functools import lru_cache

from passlib.context import CryptContext

LEGACY_SCHEMES = (
    "bcrypt",
    "sha512_crypt",
    "sha256_crypt",
    "md5_crypt",
    "ldap_salted_sha1",
    "django_pbkdf2_sha256",
    "hex_sha1",
    "hex_md5",
)

CONTEXT = CryptContext(
    schemes=["argon2", *LEGACY_SCHEMES],
    default="argon2",
    deprecated="auto",
    argon2__type="ID",
    argon2__memory_cost=19456,
    argon2__rounds=2,
    argon2__parallelism=1,
)

MAX_PASSWORD_CHARS = 128
# for generated initial passwords: no 0/O, 1/l/I, which a postal letter makes ambiguous
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnopqrstuvwxyz"
_DIGITS = "23456789"


def hash_password(password: str) -> str:
    return CONTEXT.hash(password)


def identify(hashed: str) -> str | None:
    """The passlib scheme of a stored hash, or None when no accepted scheme matches."""
    try:
        return CONTEXT.identify(hashed, required=False)
    except (ValueError, TypeError):
        return None


def verify(password: str, hashed: str) -> tuple[bool, str | None]:
    """(matches, replacement hash or None). Never raises on a bad secret or a bad hash.

    bcrypt refuses secrets over 72 bytes with ValueError: that is a failed check.
    """
    if len(password) > MAX_PASSWORD_CHARS * 4:
        return False, None
    try:
        return CONTEXT.verify_and_update(password, hashed)
    except (ValueError, TypeError):
        return False, None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return CONTEXT.hash(secrets.token_urlsafe(16))


def spend_verify_time(password: str) -> None:
    """A hash check against nothing: an unknown identifiant costs what a known one does."""
    verify(password, _dummy_hash())


def generate_initial_password(length: int = 12) -> str:
    """A random password for a postal letter: letters and digits, nothing ambiguous."""
    alphabet = _UPPER + _LOWER + _DIGITS
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c in _UPPER for c in candidate)
            and any(c in _LOWER for c in candidate)
            and sum(c in _DIGITS for c in candidate) >= 2
        ):
            return candidate


def is_printable_secret(password: str) -> bool:
    """No control characters (a newline from a botched paste would be unusable later)."""
    return all(c.isprintable() for c in password) and password.strip(string.whitespace) != ""
