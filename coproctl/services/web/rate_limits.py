"""Requests a minute to the login and forgotten-password pages, per client address and per
identifiant (``WEB_RATE_PER_ADDRESS``, ``WEB_RATE_PER_IDENTIFIANT``).

Counts live in the database (``web_rate_count``), one row per bucket and minute, so that
every worker and every host behind the proxy shares them. A bucket is an HMAC of what it
counts (no address or identifiant in clear). The rate is a sliding minute: this minute's
count plus last minute's weighted by how much of it the sliding window still covers, so
that a burst across a minute boundary does not pass twice the limit. Every request counts,
refused ones included. An IPv6 client is counted by its /64 network (one subscriber's).

Code checks and resends are bounded by the procedures themselves (5 tries a code, the
resend cooldown and hourly cap): nothing is added here.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from coproctl import clock
from coproctl.backoffice import Backoffice
from coproctl.errors import Refused
from coproctl.inputs import identifiant_key
from coproctl.models import WebRateCount

ADDRESS = "address"
IDENTIFIANT = "identifiant"


def rate_limited(retry_after: int) -> Refused:
    return Refused(
        "rate_limited",
        "Trop de demandes en peu de temps : patientez une minute avant de réessayer.",
        retry_after=retry_after,
    )


def address_key(address: str) -> str:
    """What an address is counted as: itself, or its /64 network for IPv6."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(getattr(parsed, "ipv4_mapped", None) or parsed)  # IPv4Address has none


def bucket(key: bytes, kind: str, value: str) -> bytes:
    text = address_key(value) if kind == ADDRESS else identifiant_key(value)
    message = f"web-rate:{kind}:{text}".encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).digest()


def _minute(now: datetime) -> tuple[int, float]:
    """The minute number, and how far into it ``now`` is (0 to 1)."""
    seconds = now.timestamp()
    return int(seconds // 60), (seconds % 60) / 60


def hit(backoffice: Backoffice, counted: list[tuple[str, str, int]]) -> None:
    """Count one request in each ``(kind, value, limit a minute)``; ``Refused`` (code
    ``rate_limited``) when one of them is over its limit. The counts are kept either way."""
    minute, into = _minute(clock.now())
    over = False
    with backoffice.uow() as uow:
        session = uow.session
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = WebRateCount.__table__
        for kind, value, limit in counted:
            key = bucket(backoffice.secret_key, kind, value)
            statement = insert(table).values(bucket=key, minute=minute, count=1)
            statement = statement.on_conflict_do_update(
                index_elements=["bucket", "minute"], set_={"count": table.c.count + 1}
            ).returning(table.c.count)
            now_count = session.execute(statement).scalar_one()
            before = session.execute(
                select(table.c.count).where(table.c.bucket == key, table.c.minute == minute - 1)
            ).scalar_one_or_none()
            estimate = now_count + (before or 0) * (1 - into)
            over = over or estimate > limit
        uow.commit()
    if over:
        raise rate_limited(retry_after=60)


def purge_old(backoffice: Backoffice) -> int:
    """Forget the counts older than the sliding window (the server, every minute)."""
    minute, _ = _minute(clock.now())
    table = WebRateCount.__table__
    with backoffice.uow() as uow:
        gone = uow.session.execute(table.delete().where(table.c.minute < minute - 1)).rowcount
        uow.commit()
    return int(gone or 0)
