"""Errors the services raise; the CLI turns them into a message and an exit status.

Each error carries a stable ``code`` (the ``error.code`` of ``--json`` output), a French
message meant to be read by staff or by an owner (the same words on every face), and
optionally a ``hint`` for staff only (the next command to run). No error message ever holds a
password, a code or a hash.
"""

from __future__ import annotations

from typing import Any

EXIT_REFUSED = 1
EXIT_USAGE = 2


class CoproctlError(Exception):
    """Base class: a refusal by a rule (exit 1) unless a subclass says otherwise."""

    exit_code = EXIT_REFUSED

    def __init__(self, code: str, message: str, *, hint: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # for staff only (the CLI prints it under the message; an owner's page never shows
        # it): the next command to run, where to look
        self.hint = hint
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.hint:
            body["hint"] = self.hint
        if self.details:
            body["details"] = self.details
        return body


class Refused(CoproctlError):
    """A rule refused the request: wrong code, policy, credentials, lock, cooldown..."""


class BadInput(CoproctlError):
    """Bad usage or unreadable input (exit 2)."""

    exit_code = EXIT_USAGE


class NotInitialised(BadInput):
    def __init__(self, message: str) -> None:
        super().__init__("not_initialised", message)


def not_found(identifiant: str) -> Refused:
    return Refused(
        "not_found",
        f"Aucun compte avec l'identifiant « {identifiant} ».",
        hint="Cherchez le compte par le nom, l'e-mail ou la résidence : "
        "coproctl account list --search TEXTE",
    )
