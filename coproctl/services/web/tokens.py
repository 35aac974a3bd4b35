"""Cookie ids, CSRF tokens and the sealed session state.

A cookie holds ``s.<random>`` (a session stored in the database) or ``v.<random>`` (a
visitor not signed in: nothing stored, so showing the login page writes nothing). The
database keeps only an HMAC of a session id (instance key): a copy of the table opens no
session. The CSRF token of a form is an HMAC of the cookie's id: a token only fits the
cookie it was made for. The state of a session is sealed (AES-GCM) under a key derived
from the cookie's id, which the database never holds: what it carries (a verified code's
proof) is readable only by whoever holds the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from typing import Any

SESSION = "s."
VISITOR = "v."
_ID_BYTES = 32
_WELL_FORMED = re.compile(r"^[sv]\.[A-Za-z0-9_-]{43}$")
_NONCE = 12


def new_id(kind: str) -> str:
    return kind + secrets.token_urlsafe(_ID_BYTES)


def well_formed(raw: str | None) -> bool:
    return raw is not None and _WELL_FORMED.match(raw) is not None


def id_digest(key: bytes, raw: str) -> bytes:
    """What the database keys a session by."""
    return hmac.new(key, b"web-session:" + raw.encode("ascii"), hashlib.sha256).digest()


def csrf_token(key: bytes, raw: str) -> str:
    mac = hmac.new(key, b"web-csrf:" + raw.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode("ascii")


def csrf_matches(key: bytes, raw: str | None, token: str | None) -> bool:
    """Constant-time check of a form's token against the cookie it came with."""
    if not well_formed(raw) or not token or not token.isascii():
        return False
    assert raw is not None
    return hmac.compare_digest(csrf_token(key, raw).encode(), token.encode("ascii"))


def _state_key(raw: str) -> bytes:
    return hmac.new(raw.encode("ascii"), b"web-session-state", hashlib.sha256).digest()


def seal(raw: str, digest: bytes, state: dict[str, Any]) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(_NONCE)
    plain = json.dumps(state, separators=(",", ":")).encode("utf-8")
    return nonce + AESGCM(_state_key(raw)).encrypt(nonce, plain, digest)


def unseal(raw: str, digest: bytes, blob: bytes) -> dict[str, Any] | None:
    """The state, or None when the blob was not sealed for this cookie (or is damaged)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    blob = bytes(blob)
    if len(blob) <= _NONCE:
        return None
    try:
        plain = AESGCM(_state_key(raw)).decrypt(blob[:_NONCE], blob[_NONCE:], digest)
        state = json.loads(plain)
    except (InvalidTag, ValueError):
        return None
    return state if isinstance(state, dict) else None
