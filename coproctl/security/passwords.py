"""Password hashing: argon2id for every new password, and every stored form checked.

New hashes are argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1), over the
password NFKC-normalised, so the same password typed on two keyboards (a composed or a
decomposed "é", a fullwidth digit) matches. A stored form is one of:

- our argon2id: checked on the NFKC form, then as typed (hashes made before normalisation
  came in), and replaced when it was made as typed or with other parameters;
- a legacy hash of the old extranet, as it came or wrapped in argon2id at import
  (:mod:`coproctl.security.legacy`): checked as typed, then NFKC, then on its Windows-1252
  bytes for the MD5/SHA-1 family; a success returns an argon2id replacement.

Every check costs at least one argon2id: a legacy hash that runs none (bcrypt, or one
stored before wrapping came in) is followed by a check against :data:`DUMMY_HASH`, and an
unknown identifiant is checked against that same constant, so no answer comes faster.
"""

from __future__ import annotations

import string
import unicodedata
from secrets import choice

from passlib.hash import argon2

from coproctl.security import legacy

ARGON2 = argon2.using(type="ID", memory_cost=19456, rounds=2, parallelism=1)

# argon2id (parameters of ARGON2) of a random secret nobody kept: a constant, so the first
# unknown identifiant of a process costs what any check costs (nothing is built on first use)
DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$1JpzrpXSWivlPEcIgTCm1A$pCj30MGkX8K7VuDD7f7nrbzVLcFQR7vRitAdgznwFII"  # noqa: E501

MAX_PASSWORD_CHARS = 128
# for generated initial passwords: no 0/O, 1/l/I, which a postal letter makes ambiguous
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnopqrstuvwxyz"
_DIGITS = "23456789"


def normalise(password: str) -> str:
    """NFKC: one form for what looks and types the same."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return ARGON2.hash(normalise(password))


def _is_argon2id(stored: str) -> bool:
    return stored.startswith("$argon2id$")


def _check_argon2(secret: str, stored: str) -> bool:
    try:
        return bool(ARGON2.verify(secret, stored))
    except (ValueError, TypeError):
        return False


def verify(password: str, stored: str) -> tuple[bool, str | None]:
    """(matches, replacement hash or None). Never raises on a bad secret or a bad hash."""
    if len(password) > MAX_PASSWORD_CHARS * 4:
        spend_verify_time(password[:MAX_PASSWORD_CHARS])
        return False, None
    if _is_argon2id(stored):
        normalised = normalise(password)
        if _check_argon2(normalised, stored):
            return True, hash_password(password) if ARGON2.needs_update(stored) else None
        if normalised != password and _check_argon2(password, stored):
            return True, hash_password(password)
        return False, None
    ok = legacy.verify(password, stored)
    if not legacy.costs_argon2(stored):
        spend_verify_time(password)
    return ok, hash_password(password) if ok else None


def spend_verify_time(password: str) -> None:
    """An argon2id check against nothing: an unknown identifiant costs what a known one does."""
    _check_argon2(normalise(password), DUMMY_HASH)


def generate_initial_password(length: int = 12) -> str:
    """A random password for a postal letter: letters and digits, nothing ambiguous."""
    alphabet = _UPPER + _LOWER + _DIGITS
    while True:
        candidate = "".join(choice(alphabet) for _ in range(length))
        if (
            any(c in _UPPER for c in candidate)
            and any(c in _LOWER for c in candidate)
            and sum(c in _DIGITS for c in candidate) >= 2
        ):
            return candidate


def is_printable_secret(password: str) -> bool:
    """No control characters (a newline from a botched paste would be unusable later)."""
    return all(c.isprintable() for c in password) and password.strip(string.whitespace) != ""
