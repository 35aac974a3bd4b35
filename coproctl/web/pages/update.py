"""Mise à jour de votre service en ligne: intro, 1 e-mail, 2 code, 3 mot de passe, done."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from coproctl.errors import CoproctlError
from coproctl.services.web import steps
from coproctl.services.web import update as service
from coproctl.web.context import Page

EMAIL_FIELDS = ["email", "confirm_email", "accept_domain"]
CODE_FIELDS = ["code"]
PASSWORD_FIELDS = ["password", "confirmation", "this_account_only"]


async def _at(request: Request, *allowed: str) -> Page:
    page = Page(request)
    if request.method == "POST":
        await page.posted()
    else:
        await page.open()
    page.require_session()
    steps.require(page.session, *allowed)
    return page


async def intro(request: Request) -> Response:
    page = await _at(request, steps.UPDATE_EMAIL, steps.UPDATE_CODE)
    return await page.show("update_intro.html")


async def email(request: Request) -> Response:
    page = await _at(request, steps.UPDATE_EMAIL, steps.UPDATE_CODE)
    if request.method == "GET":
        return await page.show("update_email.html")
    try:
        await page.call(
            service.send_code, page.session, page.value("email"), page.value("confirm_email"),
            accept_unusual_domain=page.ticked("accept_domain"),
        )  # fmt: skip
    except CoproctlError as error:
        return await page.refused(error, "update_email.html", EMAIL_FIELDS)
    return page.go("/mise-a-jour/code")


async def code(request: Request) -> Response:
    page = await _at(request, steps.UPDATE_CODE)
    if request.method == "GET":
        return await page.show("update_code.html")
    try:
        await page.call(service.check_code, page.session, page.value("code"))
    except CoproctlError as error:
        return await page.refused(error, "update_code.html", CODE_FIELDS)
    return page.go("/mise-a-jour/mot-de-passe")


async def resend(request: Request) -> Response:
    page = await _at(request, steps.UPDATE_CODE)
    try:
        await page.call(service.resend, page.session)
    except CoproctlError as error:
        return await page.refused(error, "update_code.html", CODE_FIELDS)
    return page.go("/mise-a-jour/code")


async def password(request: Request) -> Response:
    page = await _at(request, steps.UPDATE_PASSWORD)
    plan = await page.call(service.plan, page.session)
    if request.method == "GET":
        return await page.show("update_password.html", plan=plan)
    try:
        await page.call(
            service.choose_password, page.session, page.value("password"),
            page.value("confirmation"), this_account_only=page.ticked("this_account_only"),
        )  # fmt: skip
    except CoproctlError as error:
        return await page.refused(error, "update_password.html", PASSWORD_FIELDS, plan=plan)
    return page.go("/mise-a-jour/terminee")


async def done(request: Request) -> Response:
    page = await _at(request, steps.SPACE, steps.EMAIL_CODE)
    steps.require_signed_in(page.session)
    finished = page.session.state.get("update_done")
    if not finished:
        return page.go("/espace")
    return await page.show("update_done.html", done=finished)
