"""yescrypt (``$y$``, Debian's ``/etc/shadow`` since 11) through the system's libxcrypt.

No maintained PyPI package verifies yescrypt (``pyescrypt`` is a single 2024 source
release; passlib has no handler), but libxcrypt does: it is the library that *makes* these
hashes (``passwd``, ``mkpasswd``), maintained, and part of every Debian and Fedora base
system (``libcrypt.so.1``). It is reached with ctypes through ``crypt_rn`` (thread-safe, our
buffer, NULL on failure). Where it is missing or too old to know yescrypt, a ``$y$`` hash
is refused with a message that says so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
from functools import lru_cache
from typing import Any

Setting = dict[str, Any]

_DATA_SIZE = 32768  # sizeof(struct crypt_data) in libxcrypt
_CRYPT_SALT_OK = 0
_YESCRYPT = re.compile(r"(\$y\$[./0-9A-Za-z]+\$[./0-9A-Za-z]*)\$([./0-9A-Za-z]{43})$")
# a setting libxcrypt's own tests use, to ask whether this libcrypt knows yescrypt
_PROBE = b"$y$j9T$F5Jx5fExrKuPp53xLKQ..1"


@lru_cache(maxsize=1)
def _library() -> Any | None:
    name = ctypes.util.find_library("crypt") or "libcrypt.so.1"
    try:
        library = ctypes.CDLL(name)
        crypt_rn = library.crypt_rn
        checksalt = library.crypt_checksalt
    except (OSError, AttributeError):
        return None
    crypt_rn.restype = ctypes.c_char_p
    crypt_rn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]
    checksalt.restype = ctypes.c_int
    checksalt.argtypes = [ctypes.c_char_p]
    if checksalt(_PROBE) != _CRYPT_SALT_OK:
        return None
    return library


def available() -> bool:
    """Whether this system's libcrypt verifies yescrypt."""
    return _library() is not None


def split(text: str) -> tuple[Setting, str]:
    found = _YESCRYPT.match(text)
    if not found:
        raise ValueError("une empreinte yescrypt s'écrit $y$paramètres$sel$empreinte")
    library = _library()
    if library is None:
        raise LookupError("yescrypt")
    if library.crypt_checksalt(found[1].encode("ascii")) != _CRYPT_SALT_OK:
        raise ValueError("paramètres yescrypt refusés par libxcrypt")
    return {"setting": found[1]}, found[2]


def digest(setting: Setting, secret: bytes) -> str:
    library = _library()
    if library is None or b"\0" in secret:
        raise ValueError("yescrypt indisponible ou secret invalide")
    buffer = ctypes.create_string_buffer(_DATA_SIZE)
    result = library.crypt_rn(secret, str(setting["setting"]).encode("ascii"), buffer, _DATA_SIZE)
    if not result or result.startswith(b"*"):
        raise ValueError("libxcrypt a refusé le calcul")
    return result.decode("ascii").rsplit("$", 1)[1]
