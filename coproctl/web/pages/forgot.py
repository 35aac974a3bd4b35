"""Mot de passe oublié: identifiant and e-mail, the code, the new password, done."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from coproctl.errors import CoproctlError
from coproctl.services.web import forgot as service
from coproctl.services.web import steps
from coproctl.web.context import Page

START_FIELDS = ["identifiant", "email"]
CODE_FIELDS = ["code"]
PASSWORD_FIELDS = ["password", "confirmation", "noted"]


async def start(request: Request) -> Response:
    page = Page(request)
    if request.method == "GET":
        await page.open()
        return await page.show("forgot_start.html")
    await page.posted()
    try:
        page.session = await page.call(
            service.ask_code, page.session, page.address, page.value("identifiant"),
            page.value("email"),
        )  # fmt: skip
    except CoproctlError as error:
        return await page.refused(error, "forgot_start.html", START_FIELDS)
    return page.go("/mot-de-passe-oublie/code")


async def _at(request: Request, *allowed: str) -> Page:
    page = Page(request)
    if request.method == "POST":
        await page.posted()
    else:
        await page.open()
    page.require_session()
    steps.require(page.session, *allowed)
    return page


async def code(request: Request) -> Response:
    page = await _at(request, steps.FORGOT_CODE)
    answer = page.session.state.get("answer", "")
    if request.method == "GET":
        return await page.show("forgot_code.html", answer=answer)
    try:
        await page.call(service.check_code, page.session, page.value("code"))
    except CoproctlError as error:
        return await page.refused(error, "forgot_code.html", CODE_FIELDS, answer=answer)
    return page.go("/mot-de-passe-oublie/mot-de-passe")


async def resend(request: Request) -> Response:
    page = await _at(request, steps.FORGOT_CODE)
    try:
        await page.call(service.ask_again, page.session, page.address)
    except CoproctlError as error:
        answer = page.session.state.get("answer", "")
        return await page.refused(error, "forgot_code.html", CODE_FIELDS, answer=answer)
    return page.go("/mot-de-passe-oublie/code")


async def password(request: Request) -> Response:
    page = await _at(request, steps.FORGOT_PASSWORD)
    if request.method == "GET":
        return await page.show("forgot_password.html")
    try:
        await page.call(
            service.choose_password, page.session, page.value("password"),
            page.value("confirmation"), noted=page.ticked("noted"),
        )  # fmt: skip
    except CoproctlError as error:
        return await page.refused(error, "forgot_password.html", PASSWORD_FIELDS)
    return page.go("/mot-de-passe-oublie/termine")


async def done(request: Request) -> Response:
    page = await _at(request, steps.FORGOT_DONE)
    return await page.show("forgot_done.html")
