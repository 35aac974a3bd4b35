"""The one place that says "now".

Everything that needs the time calls :func:`now`, so freezegun (or a test) moves the whole
program at once. Times are stored in UTC and shown in Europe/Paris.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive value (SQLite hands some back) is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def from_paris(moment: datetime) -> datetime:
    """A time typed by staff (naive: Paris time) as an aware UTC instant."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return as_utc(moment)


def in_paris(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(PARIS)


def paris_text(moment: datetime | None) -> str:
    """'30/11/2026 à 21:18' in Paris time, for messages read by owners and staff."""
    if moment is None:
        return ""
    local = in_paris(moment)
    return local.strftime("%d/%m/%Y à %H:%M")


def paris_iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the Paris offset, for --json output."""
    if moment is None:
        return None
    return in_paris(moment).isoformat(timespec="seconds")
