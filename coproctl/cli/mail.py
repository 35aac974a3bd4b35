"""``coproctl mail ...``: deliver and retry the queue (cron), list, purge, preview templates."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from coproctl.cli.output import emit, table
from coproctl.cli.runtime import backoffice, errors_handled, state

if TYPE_CHECKING:
    from coproctl.mail.outcomes import DeliveryReport
    from coproctl.services.mail.queue import MailPreview
    from coproctl.services.owners.views import MailView

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y"]
STATUS_FR = {
    "queued": "en attente",
    "sending": "en cours d'envoi",
    "sent": "envoyé",
    "failed": "échec",
    "expired": "non envoyé (code expiré)",
}
Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing unless something failed (cron).")
]


def _summary(report: DeliveryReport) -> str:
    return (
        f"Envoyés : {report.sent}, à réessayer : {report.retrying}, "
        f"en échec : {report.failed}, non envoyés (code expiré ou remplacé) : {report.expired}."
    )


def _problems(report: DeliveryReport) -> list[str]:
    lines = [f"Échec du message {f.id} pour {f.to} : {f.error}" for f in report.failures]
    if report.unreachable:
        lines.append(
            f"Serveur d'envoi inutilisable : {report.unreachable}. Les messages restent en "
            "attente et seront renvoyés au prochain passage."
        )
    return lines


@app.command()
def send(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Handle at most N messages.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Deliver the due queue, retrying with backoff (cron). Exit 1 if the relay is unusable."""
    with backoffice(ctx) as office:
        from coproctl.services.mail.queue import send_queue

        report = send_queue(office, limit=limit)
    st = state(ctx)
    problems = _problems(report)
    if st.json:
        emit(True, report.as_dict(), "")
    else:
        if not quiet:
            typer.echo(_summary(report))
        for line in problems:
            typer.echo(line, err=True)
    if report.unreachable:
        raise typer.Exit(1)


def mail_lines(views: list[MailView], *, count: bool = True) -> None:
    """One line per message (addresses stay whole on a narrow terminal), then why."""
    from coproctl.clock import paris_text

    for v in views:
        account = f" ({v.identifiant})" if v.identifiant else ""
        tries = f", {v.attempts} essai(s)" if v.attempts != 1 or v.status != "sent" else ""
        typer.echo(
            f"n°{v.id}  {paris_text(v.created_at)}  {v.kind} → {v.to}{account} : "
            f"{STATUS_FR.get(v.status, v.status)}{tries}"
        )
        if v.error:
            typer.echo(f"    {v.error}")
        if v.hint:
            typer.echo(f"    ⇒ {v.hint}")
    if count:
        typer.echo(f"{len(views)} message(s).")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option("--status", help="queued, sending, sent, failed or expired."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Recipient address (any case), or a part of it: orange.fr."),
    ] = None,
    account: Annotated[str | None, typer.Option("--account", help="Identifiant.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="update_code, reset_code...")] = None,
    since: Annotated[
        datetime | None,
        typer.Option("--since", formats=DATE_FORMATS, help="Queued from (Paris time)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 100,
) -> None:
    """Messages, newest first: what was sent, what waits, what failed and why."""
    with backoffice(ctx) as office:
        from coproctl.services.mail.queue import list_mail

        views = list_mail(
            office,
            status=status,
            to=to,
            identifiant=account,
            kind=kind,
            since=since,
            limit=limit,
        )
        emit(state(ctx).json, [view.as_dict() for view in views], lambda: mail_lines(views))


@app.command()
def purge(
    ctx: typer.Context,
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            min=1,
            metavar="DAYS",
            help="Age in days (default: the MAIL_RETENTION_DAYS setting).",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, delete nothing.")] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Rows per transaction.")
    ] = 1000,
    quiet: Quiet = False,
) -> None:
    """Delete messages sent, failed or expired more than DAYS ago (cron; queued ones stay)."""
    with backoffice(ctx) as office:
        from coproctl.services.mail.queue import purge_mail

        report = purge_mail(
            office, older_than_days=older_than, dry_run=dry_run, batch_size=batch_size
        )
        verb = "à supprimer" if report.dry_run else "supprimé(s)"
        text = (
            f"{report.removed} message(s) {verb} : envoyés, en échec ou non envoyés depuis "
            f"plus de {report.older_than_days} jours."
        )
        if state(ctx).json or not quiet:
            emit(state(ctx).json, report, text)


def _preview(preview: MailPreview, html: bool) -> None:
    typer.echo(f"Subject: {preview.subject}\n")
    typer.echo(preview.html if html else preview.text)


@app.command()
def preview(
    ctx: typer.Context,
    kind: Annotated[
        str | None,
        typer.Argument(
            help="update_code, reset_code, email_change_code, password_changed, "
            "email_changed or account_reset. Without it: check every template."
        ),
    ] = None,
    html: Annotated[bool, typer.Option("--html", help="Show the HTML alternative.")] = False,
) -> None:
    """Show a mail as an owner would get it, with the templates in use (MAIL_TEMPLATES_DIR)."""
    with errors_handled(ctx) as st:
        from coproctl.config import load_settings
        from coproctl.mail.templates import KINDS
        from coproctl.services.mail.queue import preview_mail

        settings = load_settings(st.config, database_url=st.db)
        if kind is not None:
            shown = preview_mail(settings, kind)
            emit(st.json, shown, lambda: _preview(shown, html))
            return
        previews = [preview_mail(settings, name) for name in KINDS]
        emit(
            st.json,
            previews,
            lambda: table(
                "Modèles en service : tous utilisables",
                ["type", "sujet", "variables"],
                [(p.kind, p.subject, " ".join(f"${n}" for n in p.placeholders)) for p in previews],
            ),
        )
