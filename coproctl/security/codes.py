"""Verification codes: 8 decimal digits from ``secrets``, stored as a keyed HMAC.

The digest binds the code to its account and purpose, so a code can never be replayed on
another account or procedure, and it is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_DIGITS = 8


def generate_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise_typed_code(typed: str) -> str:
    """What the owner typed, with the blanks and dashes people add when copying removed."""
    return "".join(ch for ch in typed if not ch.isspace() and ch not in "-.")


def code_digest(key: bytes, purpose: str, account_id: int, code: str) -> bytes:
    message = f"{purpose}:{account_id}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def matches(key: bytes, purpose: str, account_id: int, typed: str, digest: bytes) -> bool:
    """Constant-time comparison of a typed code with a stored digest."""
    candidate = code_digest(key, purpose, account_id, normalise_typed_code(typed))
    return hmac.compare_digest(candidate, bytes(digest))
