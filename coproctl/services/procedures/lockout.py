"""The access restriction that goes with the seed password policy (CNIL guidance).

After ``threshold`` consecutive failed logins the account is locked for ``base``; each
further failure doubles the lock, up to ``ceiling``.
"""

from __future__ import annotations

from datetime import timedelta

from coproctl.config import Settings


def lock_duration(failures: int, settings: Settings) -> timedelta | None:
    """How long the ``failures``-th consecutive failure locks the account (None: no lock)."""
    over = failures - settings.lockout_threshold
    if over < 0:
        return None
    seconds = settings.lockout_base_seconds * 2 ** min(over, 32)
    return timedelta(seconds=min(seconds, settings.lockout_max_seconds))
