"""Which page a session may be on.

Each procedure is a line of steps; a session is at one of them (``state["step"]``), and
each page of a step checks it. A page asked out of turn (a URL typed, a form replayed, a
step skipped) is refused with :class:`WrongStep`, which names the step the session is at:
the page sends the owner there and nothing changes. The verified code's proof is in the
session only: no URL and no form field can bring one in.
"""

from __future__ import annotations

from typing import Any

from coproctl.errors import BadInput, Refused
from coproctl.services.web.sessions import OwnerSession

LOGIN = "login"
UPDATE_EMAIL = "update.email"
UPDATE_CODE = "update.code"
UPDATE_PASSWORD = "update.password"  # noqa: S105 (a step name)
FORGOT_CODE = "forgot.code"
FORGOT_PASSWORD = "forgot.password"  # noqa: S105 (a step name)
FORGOT_DONE = "forgot.done"
SPACE = "space"
EMAIL_CODE = "space.email_code"

# refusals after which the procedure starts again from its first step
START_AGAIN = frozenset({"proof_invalid", "procedure_expired", "wrong_state"})


class WrongStep(Refused):
    """This page is not the session's step; ``where`` is."""

    def __init__(self, where: str) -> None:
        super().__init__(
            "wrong_step",
            "Cette page ne correspond pas à l'étape où vous en êtes.",
            where=where,
        )
        self.where = where


class StartAgain(Refused):
    """The procedure went back to ``where`` (its proof lost, its window closed): the owner
    is sent there with the procedure's own message."""

    def __init__(self, error: Refused, where: str) -> None:
        super().__init__(error.code, error.message, where=where)
        self.where = where


def current(session: OwnerSession) -> str:
    return str(session.state.get("step", LOGIN)) if session.stored else LOGIN


def require(session: OwnerSession, *allowed: str) -> None:
    here = current(session)
    if here not in allowed:
        raise WrongStep(here)


def signed_in(session: OwnerSession) -> bool:
    return session.stored and bool(session.state.get("signed_in"))


def require_signed_in(session: OwnerSession) -> None:
    if not signed_in(session):
        raise WrongStep(current(session))


def required(value: str, field: str, message: str) -> str:
    """A field the owner left empty is named before any service is asked."""
    if not value.strip():
        raise BadInput("missing_field", message, field=field)
    return value


def notice(session: OwnerSession, text: str) -> None:
    """A message for the next page the session shows (a change done, a step gone back)."""
    session.state["notice"] = text


def set_step(session: OwnerSession, step: str, **values: Any) -> None:
    session.state["step"] = step
    session.state.update(values)
