"""``coproctl codes purge``: the cron job that deletes dead verification codes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from coproctl.cli.output import emit
from coproctl.cli.runtime import backoffice, state
from coproctl.typography import NBSP, count, duration

if TYPE_CHECKING:
    from coproctl.services.maintenance.purges import CodePurgeReport

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

KINDS_FR = {
    "expired": "expirés",
    "used": "utilisés",
    "superseded": "remplacés",
    "exhausted": "épuisés (trop d'essais)",
}


def _text(report: CodePurgeReport) -> str:
    verb = "seraient supprimés" if report.dry_run else "supprimés"
    if report.total < 2:
        verb = verb.removesuffix("s")
    detail = ", ".join(f"{KINDS_FR[kind]}{NBSP}: {n}" for kind, n in report.removed.items())
    return (
        f"{count(report.total, 'code')} {verb} ({detail}){NBSP}: inutilisables depuis plus de "
        f"{duration(report.grace.total_seconds())} (avant le {_paris(report)})."
    )


def _paris(report: CodePurgeReport) -> str:
    from coproctl.clock import paris_text

    return paris_text(report.cutoff)


@app.command()
def purge(
    ctx: typer.Context,
    grace: Annotated[
        str,
        typer.Option(
            "--grace",
            metavar="DURÉE",
            help="Garder les codes inutilisables depuis moins longtemps que cela (24h, 90m, 2j, "
            "1h30m ; un nombre seul compte en heures).",
        ),
    ] = "24h",
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Compter ce qui serait supprimé, sans rien supprimer."),
    ] = False,
    batch_size: Annotated[
        int,
        typer.Option("--batch-size", min=1, metavar="N", help="Codes supprimés par transaction."),
    ] = 200,  # services.maintenance.purges.BATCH_SIZE (not imported: no SQLAlchemy at start-up)
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="N'afficher que les échecs (pour une tâche planifiée)."),
    ] = False,
) -> None:
    """Supprimer les codes expirés, utilisés, remplacés ou épuisés depuis plus de --grace.

    Par petits lots (les autres commandes continuent de marcher pendant ce temps) ; sans
    effet si on le relance, et sans risque si une autre copie tourne. Un code émis dans
    l'heure est toujours gardé (les limites de renvoi le comptent) ; un code encore
    utilisable n'est jamais supprimé.
    """
    with backoffice(ctx) as office:
        from coproctl.services.maintenance.purges import parse_duration, purge_codes

        report = purge_codes(
            office, grace=parse_duration(grace), dry_run=dry_run, batch_size=batch_size
        )
        if not quiet:
            emit(state(ctx).json, report, _text(report))
