"""What the web server does in the background: deliver the outbox, forget what expired.

The server's deliverer drains the outbox like ``mail send`` (cron) does, under the same
leases, so several workers and hosts, and cron beside them, never send a message twice.
"""

from __future__ import annotations

from coproctl.backoffice import Backoffice
from coproctl.mail.outcomes import DeliveryReport
from coproctl.services.mail.queue import send_queue
from coproctl.services.web import rate_limits, sessions


def deliver_outbox(backoffice: Backoffice) -> DeliveryReport:
    return send_queue(backoffice)


def forget_expired(backoffice: Backoffice) -> tuple[int, int]:
    """Sessions past their timeouts and rate counts past their minute: (sessions, counts)."""
    return sessions.purge_expired(backoffice), rate_limits.purge_old(backoffice)
