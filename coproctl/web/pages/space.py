"""Espace client: the account, its copropriété and lots, the contact e-mail."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from coproctl.services.web.space import owner_space
from coproctl.web.context import Page


async def home(request: Request) -> Response:
    page = Page(request)
    await page.open()
    page.require_session()
    view = await page.call(owner_space, page.session)
    return await page.show("space.html", space=view)
