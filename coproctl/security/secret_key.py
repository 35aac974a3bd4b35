"""The instance secret: the HMAC key of verification codes.

Given in ``COPROCTL_SECRET_KEY``, or read from a file (``SECRET_KEY_FILE``, by default in
the application folder) that ``coproctl init`` creates with mode 0600.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from coproctl.config import Settings
from coproctl.errors import BadInput, NotInitialised

MIN_KEY_CHARS = 32


def _checked(raw: str, source: str) -> bytes:
    key = raw.strip()
    if len(key) < MIN_KEY_CHARS:
        raise BadInput(
            "bad_setting",
            f"La clé secrète ({source}) doit compter au moins {MIN_KEY_CHARS} caractères.",
        )
    return key.encode()


def load_secret_key(settings: Settings) -> bytes:
    if settings.secret_key:
        return _checked(settings.secret_key, "COPROCTL_SECRET_KEY")
    path = settings.resolved_secret_key_file()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotInitialised(f"Clé secrète absente ({path}) : lancez « coproctl init ».") from None
    except OSError as exc:
        raise BadInput("bad_setting", f"Clé secrète illisible ({path}) : {exc.strerror}.") from None
    return _checked(raw, str(path))


def ensure_secret_key(settings: Settings) -> tuple[Path | None, bool]:
    """Create the key file if needed. Returns (path or None when given inline, created?)."""
    if settings.secret_key:
        _checked(settings.secret_key, "COPROCTL_SECRET_KEY")
        return None, False
    path = settings.resolved_secret_key_file()
    if path.exists():
        load_secret_key(settings)
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path, True
