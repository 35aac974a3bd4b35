"""The hints staff read to owners, from the relay's code and words (pure function)."""

from __future__ import annotations

import pytest

from coproctl.mail import diagnosis as d
from coproctl.mail.reasons import (
    CODE_EXPIRED,
    CODE_REPLACED,
    CODE_UNREADABLE,
    COMPOSE_FAILED,
    LOGIN_IN_CLEAR,
)


@pytest.mark.parametrize(
    ("status", "code", "error", "expected"),
    [
        ("failed", 552, "552 5.2.2 Mailbox full", d.MAILBOX_FULL),
        ("queued", 452, "452 4.2.2 Over quota", d.MAILBOX_FULL),
        ("failed", 550, "550 Requested action not taken: mailbox full", d.MAILBOX_FULL),
        ("failed", 550, "550 5.1.1 <x@orange.fr>: Recipient address rejected", d.UNKNOWN_ADDRESS),
        ("failed", 550, "550 No such user here", d.UNKNOWN_ADDRESS),
        ("failed", 550, "550 Requested action not taken", d.UNKNOWN_ADDRESS),
        ("failed", 550, "550 5.1.2 Host unknown", d.UNKNOWN_DOMAIN),
        ("failed", 554, "554 5.7.1 Message rejected as spam", d.SPAM),
        ("failed", 550, "550 5.7.1 Blocked by policy", d.SPAM),
        ("failed", 554, "554 Transaction failed", d.SPAM),
        ("failed", 553, "553 sender address rejected", d.REFUSED),
        ("queued", 451, "451 4.7.1 Greylisted, try again later", d.DEFERRED),
        ("failed", 451, "451 4.3.0 Try later", d.GAVE_UP),
        ("queued", None, "serveur d'envoi injoignable (smtp:25) : refused", d.UNREACHABLE_HINT),
        ("queued", None, "connexion au serveur d'envoi interrompue : reset", d.UNREACHABLE_HINT),
        ("queued", 535, "authentification refusée par le serveur d'envoi (x)", d.AUTH_HINT),
        ("failed", None, f"{COMPOSE_FAILED} : bad", d.UNUSABLE_ADDRESS),
        ("expired", None, CODE_EXPIRED, d.EXPIRED),
        ("expired", None, CODE_REPLACED, d.REPLACED),
        ("sent", None, None, None),
        ("queued", None, None, None),
    ],
)
def test_hint(status: str, code: int | None, error: str | None, expected: str | None) -> None:
    assert d.hint(status, code, error) == expected


def _plain(text: str) -> str:
    """An error as stored before the no-break spaces of French typography."""
    return text.replace("\u00a0", " ")


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        ("expired", _plain(CODE_REPLACED), "replaced"),
        ("expired", CODE_REPLACED, "replaced"),
        ("expired", _plain(CODE_EXPIRED), "expired"),
        ("failed", _plain(CODE_UNREADABLE), "code_unreadable"),
        ("failed", CODE_UNREADABLE, "code_unreadable"),
        ("queued", _plain(LOGIN_IN_CLEAR) + " (relais:25) : réglez SMTP_TLS", "login_in_clear"),
        ("queued", LOGIN_IN_CLEAR + " (relais:25)\u00a0: réglez SMTP_TLS", "login_in_clear"),
    ],
)
def test_stored_errors_read_the_same_whatever_their_spaces(
    status: str, error: str, expected: str
) -> None:
    """Rows written by the version before keep their hints (a ``startswith`` on our words)."""
    assert " : " in _plain(CODE_REPLACED)
    assert d.diagnose(status, None, error) == expected
