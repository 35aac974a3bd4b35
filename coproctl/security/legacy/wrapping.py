"""A weak legacy hash wrapped in argon2id, so a stolen database holds no fast hash.

Stored as ``$legacy$<scheme>$<setting>$argon2id$v=19$…``: the marker names the inner
scheme, the setting (salt, rounds: base64url of JSON) lets the inner digest be recomputed
from a typed password, and the argon2id hash (the parameters of new passwords) is made over
that digest. The legacy digest itself is not kept. Checking a password recomputes the
legacy digest (cheap) and verifies it against argon2id (about 20 ms), so a legacy account
costs what any account costs; the first successful login replaces the whole by a plain
argon2id of the password.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

PREFIX = "$legacy$"
MAX_STORED = 512  # account.password_hash


@dataclass(frozen=True)
class Wrapped:
    scheme: str
    setting: dict[str, Any]
    argon2: str


def is_wrapped(stored: str) -> bool:
    return stored.startswith(PREFIX)


def _argon2() -> Any:
    # passwords imports this package: read its handler when called, not at import
    from coproctl.security.passwords import ARGON2

    return ARGON2


def wrap(scheme: str, setting: dict[str, Any], digest: str) -> str:
    packed = json.dumps(setting, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    encoded = base64.urlsafe_b64encode(packed.encode("utf-8")).decode("ascii").rstrip("=")
    return f"{PREFIX}{scheme}${encoded}{_argon2().hash(digest)}"


def unwrap(stored: str) -> Wrapped:
    """ValueError when ``stored`` is not a wrapped hash this version reads."""
    if not stored.startswith(PREFIX):
        raise ValueError("pas une empreinte enveloppée")
    parts = stored[len(PREFIX) :].split("$", 2)
    if len(parts) != 3 or not parts[2].startswith("argon2id$"):
        raise ValueError("empreinte enveloppée mal formée")
    scheme, encoded, argon2 = parts
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        setting = json.loads(base64.urlsafe_b64decode(padded).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("réglages d'empreinte enveloppée illisibles") from None
    if not isinstance(setting, dict):
        raise ValueError("réglages d'empreinte enveloppée illisibles")
    return Wrapped(scheme, setting, "$" + argon2)


def matches(wrapped: Wrapped, digest: str) -> bool:
    try:
        return bool(_argon2().verify(digest, wrapped.argon2))
    except (ValueError, TypeError):
        return False
