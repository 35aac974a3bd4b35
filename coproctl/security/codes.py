"""Verification codes: 8 decimal digits from ``secrets``, stored as a keyed HMAC.

The digest binds the code to its account and purpose, so a code can never be replayed on
another account or procedure, and it is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

CODE_DIGITS = 8


def generate_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise_typed_code(typed: str) -> str:
    """What the owner typed, with the blanks and dashes people add when copying removed
    (fullwidth digits read as digits)."""
    text = unicodedata.normalize("NFKC", typed)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-.")


def well_formed(typed: str) -> bool:
    """8 digits 0-9 once blanks are removed: anything else is a typing slip, not a guess."""
    code = normalise_typed_code(typed)
    return len(code) == CODE_DIGITS and all(ch in "0123456789" for ch in code)


def code_digest(key: bytes, purpose: str, account_id: int, code: str) -> bytes:
    message = f"{purpose}:{account_id}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def matches(key: bytes, purpose: str, account_id: int, typed: str, digest: bytes) -> bool:
    """Constant-time comparison of a typed code with a stored digest."""
    candidate = code_digest(key, purpose, account_id, normalise_typed_code(typed))
    return hmac.compare_digest(candidate, bytes(digest))


PROOF_BYTES = 32


def generate_proof() -> str:
    """The proof a verified code gives: 256 random bits, URL-safe (a web session keeps it)."""
    return secrets.token_urlsafe(PROOF_BYTES)


def proof_digest(key: bytes, code_id: int, account_id: int, proof: str) -> bytes:
    """What the database keeps of a proof: an HMAC bound to its code row and account."""
    message = f"proof:{code_id}:{account_id}:{proof}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def proof_matches(
    key: bytes, code_id: int, account_id: int, proof: str, digest: bytes | None
) -> bool:
    """Constant-time check of a proof against the stored digest (False when none is stored)."""
    if digest is None or not proof or not proof.isascii():
        return False
    candidate = proof_digest(key, code_id, account_id, proof)
    return hmac.compare_digest(candidate, bytes(digest))
