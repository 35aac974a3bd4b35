"""``coproctl serve``: the owners' own pages (``coproctl.web``) under uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from coproctl.cli.runtime import errors_handled
from coproctl.errors import BadInput

app = typer.Typer(no_args_is_help=False, add_completion=False)  # help: cli.app GROUPS

INSECURE_ENV = "COPROCTL_SERVE_INSECURE_HTTP"  # read by coproctl.web's factory in each worker


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Adresse d'écoute (derrière nginx : 127.0.0.1).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port d'écoute.")] = 8000,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, max=64, help="Nombre de processus (un par cœur)."),
    ] = 1,
    insecure_http: Annotated[
        bool,
        typer.Option(
            "--insecure-http",
            help="Essais locaux sans HTTPS : le cookie de session perd l'attribut Secure. "
            "Jamais en production.",
        ),
    ] = False,
) -> None:
    """Servir les pages des copropriétaires (connexion, mise à jour, mot de passe oublié,
    espace client, paramètres). Voir docs/web.md pour nginx et systemd."""
    with errors_handled(ctx) as st:
        try:
            import uvicorn
        except ImportError:
            raise BadInput(
                "web_missing",
                "Les pages web demandent l'extra « web » : pip install 'coproctl[web]'.",
            ) from None
        from coproctl.config import load_settings
        from coproctl.services.web.readiness import prepare

        settings = load_settings(st.config, database_url=st.db)
        # the workers build their app from the environment: the same settings reach them
        if st.db:
            os.environ["COPROCTL_DATABASE_URL"] = st.db
        if st.config:
            os.environ["COPROCTL_CONFIG"] = str(st.config)
        os.environ[INSECURE_ENV] = "1" if insecure_http else "0"
        prepare(settings).engine.dispose()  # checked here, in French, before any worker
    scheme = "http" if insecure_http else "https (derrière le proxy)"
    typer.echo(
        f"Pages des copropriétaires sur http://{host}:{port}/ ({scheme}, "
        f"{workers} processus) ; Ctrl-C pour arrêter.",
        err=True,
    )
    options = {
        "host": host,
        "port": port,
        "proxy_headers": False,  # X-Forwarded-For is read by the app (WEB_TRUSTED_PROXIES)
        "server_header": False,
        "log_level": "info",
    }
    # the face is started by name: the CLI never imports the web (tests/test_layers.py)
    uvicorn.run("coproctl.web:create_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]
