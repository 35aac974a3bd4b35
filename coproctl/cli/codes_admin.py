"""``coproctl codes purge``: the cron job that deletes dead verification codes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from coproctl.cli.output import emit
from coproctl.cli.runtime import backoffice, state

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
    detail = ", ".join(f"{KINDS_FR[kind]} {count}" for kind, count in report.removed.items())
    hours = report.grace.total_seconds() / 3600
    return (
        f"{report.total} code(s) {verb} ({detail}) : morts depuis plus de "
        f"{hours:g} h (avant le {_paris(report)})."
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
            metavar="DURATION",
            help="Keep codes dead for less than this (24h, 90m, 2d, 1h30m; a number is hours).",
        ),
    ] = "24h",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; delete nothing.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Codes deleted per transaction.")
    ] = 1000,  # services.maintenance.BATCH_SIZE (not imported: no SQLAlchemy at start-up)
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing unless something failed (cron).")
    ] = False,
) -> None:
    """Delete expired, used, superseded and exhausted codes dead for longer than --grace.

    Runs in short batches (other commands keep working meanwhile); idempotent, and safe
    to run while another copy runs. A code issued within the last hour is always kept (the
    resend limits count it); a code that can still be used is never deleted.
    """
    with backoffice(ctx) as office:
        from coproctl.services.maintenance.purges import parse_duration, purge_codes

        report = purge_codes(
            office, grace=parse_duration(grace), dry_run=dry_run, batch_size=batch_size
        )
        if not quiet:
            emit(state(ctx).json, report, _text(report))
