"""The code a queued mail waits with, sealed: AES-GCM under a key derived from the instance key.

A code mail's bodies hold a placeholder; the code itself waits in ``outbox_message.secret``
until the message is delivered, fails or expires (then it is erased). Sealed, a copy of the
database (a backup, a dump sent for support) holds no usable code without the instance key,
which lives apart (``SECRET_KEY_FILE``).

- key: HKDF-SHA256 of the instance key, for this use only (``info`` names it), so the
  outbox key is never the key that makes the codes' HMACs;
- AES-256-GCM, a random 96-bit nonce per message, the message's ``Message-ID`` as associated
  data: a sealed code copied onto another row does not open there;
- stored as ``v1:`` + URL-safe base64 of nonce + ciphertext + tag (51 characters for an
  8-digit code; the column holds 64).

``cryptography`` (PyCA) is the maintained library for this; the standard library has no
authenticated cipher, and a hand-made one is not something to trust with owners' codes.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1:"
_INFO = b"coproctl/outbox-code/v1"
_NONCE = 12


class SealError(ValueError):
    """A sealed code that does not open (the instance key changed, or the row was altered)."""


@lru_cache(maxsize=4)
def _cipher(secret_key: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key)
    return AESGCM(key)


def seal(secret_key: bytes, code: str, bound_to: str) -> str:
    """``code`` sealed for the message whose Message-ID is ``bound_to``."""
    nonce = os.urandom(_NONCE)
    sealed = _cipher(secret_key).encrypt(nonce, code.encode("utf-8"), bound_to.encode("utf-8"))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")


def unseal(secret_key: bytes, stored: str, bound_to: str) -> str:
    """The code of a sealed value; raises :class:`SealError` when it does not open.

    A bare 8-digit value is a code queued before sealing existed (revision 0001): it is
    still delivered as it is.
    """
    if not stored.startswith(PREFIX):
        if stored.isascii() and stored.isdigit():
            return stored
        raise SealError("unknown format")
    raw = stored.removeprefix(PREFIX)
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        plain = _cipher(secret_key).decrypt(data[:_NONCE], data[_NONCE:], bound_to.encode())
    except (ValueError, InvalidTag):
        raise SealError("does not open") from None
    return plain.decode("utf-8")
