"""The owners' own pages: a second face beside ``cli/``, as thin.

Each route parses a form, calls one service (``services/web``, over ``services/procedures``)
and renders a Jinja2 template. ``create_app`` is the ASGI factory ``coproctl serve`` runs
under uvicorn (``uvicorn --factory coproctl.web:create_app`` does the same). Nothing here is
imported by the CLI except through ``coproctl serve``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from coproctl.config import Settings


def create_app(settings: Settings | None = None, *, insecure_http: bool | None = None) -> Starlette:
    """The ASGI application. Without arguments (uvicorn's workers), the settings come from
    the ``COPROCTL_*`` environment and the configuration file, and ``--insecure-http`` from
    ``COPROCTL_SERVE_INSECURE_HTTP=1`` (set by ``coproctl serve``)."""
    from coproctl.web.app import build

    return build(settings, insecure_http=insecure_http)
