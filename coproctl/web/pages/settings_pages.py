"""Paramètres: change the contact e-mail (with its code) or the password."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from coproctl.errors import CoproctlError
from coproctl.services.web import account_settings as service
from coproctl.services.web import steps
from coproctl.web.context import Page

EMAIL_FIELDS = ["current_password", "email", "confirm_email", "accept_domain"]
CODE_FIELDS = ["code"]
PASSWORD_FIELDS = ["current_password", "password", "confirmation", "noted"]
# the current password is what a wrong password, a lock or a disabled account is about
CURRENT = {
    "bad_credentials": "current_password",
    "account_locked": "current_password",
    "account_disabled": "current_password",
    "wrong_state": "current_password",
}


async def _signed_in(request: Request) -> Page:
    page = Page(request)
    if request.method == "POST":
        await page.posted()
    else:
        await page.open()
    page.require_session()
    steps.require_signed_in(page.session)
    return page


async def menu(request: Request) -> Response:
    page = await _signed_in(request)
    return await page.show("settings.html")


async def email(request: Request) -> Response:
    page = await _signed_in(request)
    if request.method == "GET":
        return await page.show("settings_email.html")
    try:
        await page.call(
            service.send_email_code, page.session, page.value("current_password"),
            page.value("email"), page.value("confirm_email"),
            accept_unusual_domain=page.ticked("accept_domain"),
        )  # fmt: skip
    except CoproctlError as error:
        return await page.refused(error, "settings_email.html", EMAIL_FIELDS, CURRENT)
    return page.go("/parametres/e-mail/code")


async def email_code(request: Request) -> Response:
    page = await _signed_in(request)
    steps.require(page.session, steps.EMAIL_CODE)
    sent_to = page.session.state.get("sent_to", "")
    if request.method == "GET":
        return await page.show("settings_email_code.html", sent_to=sent_to)
    try:
        await page.call(service.check_email_code, page.session, page.value("code"))
    except CoproctlError as error:
        return await page.refused(error, "settings_email_code.html", CODE_FIELDS, sent_to=sent_to)
    return page.go("/parametres")


async def email_resend(request: Request) -> Response:
    page = await _signed_in(request)
    sent_to = page.session.state.get("sent_to", "")
    try:
        await page.call(service.resend_email_code, page.session)
    except CoproctlError as error:
        return await page.refused(error, "settings_email_code.html", CODE_FIELDS, sent_to=sent_to)
    return page.go("/parametres/e-mail/code")


async def email_cancel(request: Request) -> Response:
    page = await _signed_in(request)
    await page.call(service.cancel_email_change, page.session)
    return page.go("/parametres")


async def password(request: Request) -> Response:
    page = await _signed_in(request)
    if request.method == "GET":
        return await page.show("settings_password.html")
    try:
        await page.call(
            service.new_password, page.session, page.value("current_password"),
            page.value("password"), page.value("confirmation"), noted=page.ticked("noted"),
        )  # fmt: skip
    except CoproctlError as error:
        return await page.refused(error, "settings_password.html", PASSWORD_FIELDS, CURRENT)
    return page.go("/parametres")
