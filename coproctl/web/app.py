"""The Starlette application: routes, lifespan (the background deliverer), error pages."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from coproctl.config import Settings, load_settings
from coproctl.errors import CoproctlError
from coproctl.services.web.readiness import prepare
from coproctl.services.web.steps import StartAgain, WrongStep
from coproctl.web import context
from coproctl.web.headers import SecurityHeaders
from coproctl.web.mailer import Mailer
from coproctl.web.pages import forgot, settings_pages, signin, space, update
from coproctl.web.runtime import HERE, Runtime

log = logging.getLogger("coproctl.web")
INSECURE_ENV = "COPROCTL_SERVE_INSECURE_HTTP"  # set by coproctl serve for its workers


def routes() -> list[Route | Mount]:
    both = ["GET", "POST"]
    return [
        Route("/", signin.login, methods=both),
        Route("/deconnexion", signin.logout, methods=["POST"]),
        Route("/theme.css", signin.theme_css),
        Route("/mise-a-jour", update.intro),
        Route("/mise-a-jour/e-mail", update.email, methods=both),
        Route("/mise-a-jour/code", update.code, methods=both),
        Route("/mise-a-jour/nouveau-code", update.resend, methods=["POST"]),
        Route("/mise-a-jour/mot-de-passe", update.password, methods=both),
        Route("/mise-a-jour/terminee", update.done),
        Route("/mot-de-passe-oublie", forgot.start, methods=both),
        Route("/mot-de-passe-oublie/code", forgot.code, methods=both),
        Route("/mot-de-passe-oublie/nouveau-code", forgot.resend, methods=["POST"]),
        Route("/mot-de-passe-oublie/mot-de-passe", forgot.password, methods=both),
        Route("/mot-de-passe-oublie/termine", forgot.done),
        Route("/espace", space.home),
        Route("/parametres", settings_pages.menu),
        Route("/parametres/e-mail", settings_pages.email, methods=both),
        Route("/parametres/e-mail/code", settings_pages.email_code, methods=both),
        Route("/parametres/e-mail/nouveau-code", settings_pages.email_resend, methods=["POST"]),
        Route("/parametres/e-mail/annuler", settings_pages.email_cancel, methods=["POST"]),
        Route("/parametres/mot-de-passe", settings_pages.password, methods=both),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


def build(settings: Settings | None = None, *, insecure_http: bool | None = None) -> Starlette:
    """Check everything the server needs (settings, theme, schema, key), then the app.

    Raises ``CoproctlError`` (French message) when something is wrong: ``coproctl serve``
    shows it before any worker starts.
    """
    if settings is None:
        settings = load_settings()
    if insecure_http is None:
        insecure_http = os.environ.get(INSECURE_ENV) == "1"
    ready = prepare(settings)
    engine = ready.engine
    runtime = Runtime(settings, engine, ready.secret_key, ready.theme, not insecure_http)
    interval = settings.web_mail_interval_seconds if settings.mail_delivery == "immediate" else 0
    runtime.mailer = Mailer(runtime.office, float(max(interval, 0)))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        assert runtime.mailer is not None
        runtime.mailer.start()
        try:
            yield
        finally:
            await runtime.mailer.stop()
            engine.dispose()

    app = Starlette(
        routes=routes(),
        lifespan=lifespan,
        middleware=[Middleware(SecurityHeaders, secure=not insecure_http)],
        exception_handlers={
            WrongStep: context.wrong_step,
            StartAgain: context.wrong_step,
            context.Forbidden: context.forbidden,
            CoproctlError: context.service_error,
            404: context.not_found,
            405: context.not_allowed,
            Exception: context.server_error,
        },
    )
    app.state.runtime = runtime
    return app
