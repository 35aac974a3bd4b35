"""``coproctl init``: create or upgrade the schema, create the secret key."""

from __future__ import annotations

import typer

from coproctl.cli.output import emit, fields
from coproctl.cli.runtime import errors_handled


def init(ctx: typer.Context) -> None:
    """Créer ou mettre à jour le schéma de la base de données (migrations Alembic) et la clé
    secrète."""
    with errors_handled(ctx) as st:
        from coproctl.config import load_settings
        from coproctl.services.maintenance.setup import initialise

        result = initialise(load_settings(st.config, database_url=st.db))
        emit(
            st.json,
            result,
            lambda: fields(
                [
                    ("Base de données", result.database),
                    ("Schéma", f"{result.revision_before or 'vide'} -> {result.revision_after}"),
                    ("Clé secrète", result.secret_key_status),
                    *(result.mail.lines() if result.mail is not None else []),
                ]
            ),
        )
        if not st.json and result.mail is not None:
            for warning in result.mail.warnings:
                typer.echo(f"Attention : {warning}", err=True)


def register(app: typer.Typer) -> None:
    app.command()(init)
