"""``coproctl config show``: every effective setting, where it came from, secrets masked."""

from __future__ import annotations

import typer

from coproctl.cli.output import emit, fields
from coproctl.cli.runtime import errors_handled

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS


def _show_text(view: object) -> None:
    from coproctl.services.maintenance.configuration import ConfigView

    assert isinstance(view, ConfigView)
    fields([(s.name, f"{s.value}   [{s.source}]") for s in view.settings])
    typer.echo("")
    fields(view.mail.lines())
    for warning in view.mail.warnings:
        typer.echo(f"Attention : {warning}", err=True)
    if view.problem:
        typer.echo(f"Réglages refusés : {view.problem}", err=True)


@app.command()
def show(ctx: typer.Context) -> None:
    """Chaque réglage en vigueur et d'où il vient, secrets masqués.

    Sources : défaut, fichier (--config), environnement (COPROCTL_*), option (--db). Puis
    l'envoi des e-mails : transport, serveur, port, TLS, expéditeur. Code de sortie 1 si les
    réglages sont refusés (les autres commandes s'arrêteraient).
    """
    with errors_handled(ctx) as st:
        from coproctl.services.maintenance.configuration import effective_settings

        view = effective_settings(st.config, st.db)
        emit(st.json, view, lambda: _show_text(view))
        if view.problem:
            raise typer.Exit(1)
