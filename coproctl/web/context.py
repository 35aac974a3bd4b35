"""One request of the owners' pages: its back office, session, form, CSRF check, answer.

A page handler builds a :class:`Page`, reads the form (``posted``: the CSRF token is
checked before anything else, and a request without a valid one is refused with 403,
having read or changed nothing), calls one service through ``call`` and renders a
template (``show``) or goes to another page (``go``). Service errors become French messages
beside their field and in the summary at the top (GOV.UK's error summary); a staff
``hint`` is never shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from coproctl.errors import CoproctlError
from coproctl.services.web import sessions, steps, tokens
from coproctl.services.web.clients import client_address
from coproctl.services.web.sessions import OwnerSession
from coproctl.services.web.space import take_notice
from coproctl.web.runtime import Runtime

log = logging.getLogger("coproctl.web")
T = TypeVar("T")

COOKIE = "coproctl_session"
MAX_FIELD = 4096  # longer values are cut: no field of these forms needs more

STEP_URLS = {
    steps.LOGIN: "/",
    steps.UPDATE_EMAIL: "/mise-a-jour",
    steps.UPDATE_CODE: "/mise-a-jour/code",
    steps.UPDATE_PASSWORD: "/mise-a-jour/mot-de-passe",
    steps.FORGOT_CODE: "/mot-de-passe-oublie/code",
    steps.FORGOT_PASSWORD: "/mot-de-passe-oublie/mot-de-passe",
    steps.FORGOT_DONE: "/mot-de-passe-oublie/termine",
    steps.SPACE: "/espace",
    steps.EMAIL_CODE: "/parametres/e-mail/code",
}
ENDED_QUERY = {sessions.EXPIRED: "expiree", sessions.PASSWORD_CHANGED: "mot-de-passe"}

# which field an error belongs to, by its code (when the error does not name one itself)
FIELD_OF = {
    "bad_identifiant": "identifiant",
    "bad_credentials": "password",
    "account_locked": "password",
    "account_disabled": "password",
    "initial_password_expired": "password",
    "email_invalid": "email",
    "email_typo": "email",
    "email_unchanged": "email",
    "email_mismatch": "confirm_email",
    "password_policy": "password",
    "password_mismatch": "confirmation",
    "noted_required": "noted",
}


class Forbidden(Exception):
    """A form without the CSRF token of the cookie it came with."""


@dataclass
class Problem:
    """One error: the field it belongs to, its message, and its list (policy rules)."""

    field: str
    message: str
    items: list[str] = field(default_factory=list)


def problem(error: CoproctlError, fields: list[str], aliases: Mapping[str, str]) -> Problem:
    """Where an error goes on a form of ``fields`` (the first one when none fits)."""
    named = error.details.get("field")
    wanted = aliases.get(error.code) or (named if isinstance(named, str) else None)
    wanted = wanted or FIELD_OF.get(error.code) or "code"
    wanted = aliases.get(wanted, wanted)
    target = wanted if wanted in fields else fields[0]
    first, *rest = error.message.split("\n")
    return Problem(target, first, [line.removeprefix("- ") for line in rest if line.strip()])


class Page:
    def __init__(self, request: Request) -> None:
        self.request = request
        self.runtime: Runtime = request.app.state.runtime
        self.office = self.runtime.office()
        # until the session is read: the cookie as it came (an answer that reads no session,
        # a 403 or a 404, keeps it), or a new visitor's when there is none
        cookie = self.cookie
        self.session: OwnerSession = (
            OwnerSession(cookie) if tokens.well_formed(cookie) and cookie else sessions.visitor()
        )
        self.form: dict[str, str] = {}
        request.state.page = self

    @property
    def cookie(self) -> str | None:
        return self.request.cookies.get(COOKIE)

    @property
    def address(self) -> str:
        peer = self.request.client.host if self.request.client else None
        forwarded = self.request.headers.getlist("x-forwarded-for")
        return client_address(peer, forwarded, self.runtime.settings.web_trusted_proxies)

    async def open(self) -> OwnerSession:
        """The request's session (a visitor's unless the cookie names a valid one)."""
        if sessions.is_stored(self.cookie):  # a database access: off the event loop
            self.session = await run_in_threadpool(sessions.load, self.office, self.cookie)
        else:  # a visitor: nothing to read, no thread hop
            self.session = sessions.load(self.office, self.cookie)
        return self.session

    async def posted(self) -> dict[str, str]:
        """The form's text fields, once its CSRF token is found to fit the cookie."""
        try:
            form = await self.request.form(max_files=0, max_fields=50)
        except Exception:  # malformed body, too many fields, a file: not one of our forms
            raise Forbidden from None
        values = {
            key: value[:MAX_FIELD]
            for key, value in form.multi_items()
            if not isinstance(value, UploadFile)
        }
        if not tokens.csrf_matches(self.runtime.secret_key, self.cookie, values.get("csrf")):
            raise Forbidden
        self.form = values
        await self.open()
        return values

    def value(self, name: str) -> str:
        return self.form.get(name, "")

    def ticked(self, name: str) -> bool:
        return self.form.get(name, "") != ""

    async def call(self, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One service, in a worker thread; mail it committed wakes the deliverer."""
        try:
            return await run_in_threadpool(service, self.office, *args, **kwargs)
        finally:
            self.office.deliver_pending()

    def require_session(self) -> None:
        """Pages of a procedure: a session whose time ran out goes back to the login page."""
        if self.session.ended is not None and not self.session.stored:
            raise steps.WrongStep(steps.LOGIN)

    async def show(
        self,
        template: str,
        *,
        status: int = 200,
        problems: list[Problem] | None = None,
        headers: Mapping[str, str] | None = None,
        **values: Any,
    ) -> Response:
        notice = await self.call(take_notice, self.session) if self.session.stored else None
        page = self.runtime.jinja.get_template(template)
        html = page.render(
            theme=self.runtime.theme,
            csrf=tokens.csrf_token(self.runtime.secret_key, self.session.raw),
            signed_in=steps.signed_in(self.session),
            notice=notice,
            problems=problems or [],
            problem_of={p.field: p for p in problems or []},
            form=self.form,
            ended=self.session.ended,
            **values,
        )
        return self.keep(HTMLResponse(html, status_code=status, headers=dict(headers or {})))

    def go(self, url: str) -> Response:
        return self.keep(RedirectResponse(url, status_code=303))

    def go_to_step(self, where: str) -> Response:
        url = STEP_URLS.get(where, "/")
        if where == steps.LOGIN and self.session.ended in ENDED_QUERY:
            url = f"/?session={ENDED_QUERY[self.session.ended]}"
        return self.go(url)

    def keep(self, response: Response) -> Response:
        """Send the cookie when the session is new (signed in, rotated, or a visitor's)."""
        if self.session.new_cookie:
            response.set_cookie(
                COOKIE,
                self.session.raw,
                httponly=True,
                samesite="lax",
                secure=self.runtime.secure,
                path="/",
            )
        return response

    async def refused(
        self,
        error: CoproctlError,
        template: str,
        fields: list[str],
        aliases: Mapping[str, str] | None = None,
        **values: Any,
    ) -> Response:
        """The form again, with the error beside its field and in the summary (a step out of
        turn goes to the session's step instead)."""
        if isinstance(error, steps.WrongStep | steps.StartAgain):
            raise error
        found = problem(error, fields, aliases or {})
        status = 429 if error.code == "rate_limited" else 400
        headers = (
            {"Retry-After": str(error.details.get("retry_after", 60))} if status == 429 else {}
        )
        return await self.show(
            template, status=status, problems=[found], headers=headers, error=error, **values
        )


def _page(request: Request) -> Page:
    page = getattr(request.state, "page", None)
    return page if isinstance(page, Page) else Page(request)


async def wrong_step(request: Request, exc: Exception) -> Response:
    """A page out of turn: to the step the session is at, nothing changed."""
    assert isinstance(exc, steps.WrongStep | steps.StartAgain)
    return _page(request).go_to_step(exc.where)


async def forbidden(request: Request, _exc: Exception) -> Response:
    page = _page(request)
    return await page.show("refused.html", status=403)


async def not_found(request: Request, exc: Exception) -> Response:
    page = _page(request)
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    return await page.show("not_found.html", status=status)


async def not_allowed(request: Request, _exc: Exception) -> Response:
    return await _page(request).show("not_found.html", status=405)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("unexpected error on %s (%s)", request.url.path, type(exc).__name__)
    try:
        html = request.app.state.runtime.jinja.get_template("unavailable.html").render(
            theme=request.app.state.runtime.theme, problems=[], problem_of={}
        )
    except Exception:
        html = "<!doctype html><title>Erreur</title><p>Service momentanément indisponible.</p>"
    return HTMLResponse(html, status_code=500)


async def service_error(request: Request, exc: Exception) -> Response:
    """A refusal no page expected (the database busy, say): its message, nothing else."""
    assert isinstance(exc, CoproctlError)
    page = _page(request)
    return await page.show(
        "unavailable.html", status=503 if exc.code.startswith("database") else 400, error=exc
    )
