"""Which lock is in force: one staff set (``account lock``) or one after failed logins.

A staff lock writes the same instant to ``locked_until`` and ``staff_locked_until``; a lock
after failed logins writes only ``locked_until``. So the lock in force is the staff's while
the two are equal, and the failed logins' otherwise, with no change to the login path.
"""

from __future__ import annotations

from coproctl import clock
from coproctl.models import Account

STAFF = "staff"
FAILED_LOGINS = "failed_logins"


def lock_reason(account: Account) -> str | None:
    """``staff``, ``failed_logins``, or None when the account is not locked now."""
    if account.locked_until is None or clock.as_utc(account.locked_until) <= clock.now():
        return None
    staff_until = account.staff_locked_until
    if staff_until is not None and clock.as_utc(staff_until) == clock.as_utc(account.locked_until):
        return STAFF
    return FAILED_LOGINS
