"""Connexion (``/``), déconnexion, and the syndic's colours as a style sheet."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from coproctl.errors import CoproctlError
from coproctl.services.web import signin, steps
from coproctl.web.context import Page

FIELDS = ["identifiant", "password"]
ENDED = {
    "expiree": "Votre session a pris fin (trop longtemps sans activité) : reconnectez-vous.",
    "mot-de-passe": "Votre session a pris fin : le mot de passe du compte a changé. "
    "Reconnectez-vous.",
}


async def login(request: Request) -> Response:
    page = Page(request)
    if request.method == "GET":
        await page.open()
        if steps.signed_in(page.session):
            return page.go("/espace")
        ended = ENDED.get(request.query_params.get("session", ""))
        return await page.show("login.html", ended_text=ended)
    await page.posted()
    try:
        page.session = await page.call(
            signin.sign_in, page.session, page.address, page.value("identifiant"),
            page.value("password"),
        )  # fmt: skip
    except CoproctlError as error:
        return await page.refused(error, "login.html", FIELDS)
    return page.go("/espace" if steps.signed_in(page.session) else "/mise-a-jour")


async def logout(request: Request) -> Response:
    page = Page(request)
    await page.posted()
    page.session = await page.call(signin.sign_out, page.session)
    return await page.show("signed_out.html")


async def theme_css(request: Request) -> Response:
    return Response(
        request.app.state.runtime.theme.css(),
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600"},
    )
