"""``coproctl mail ...``: deliver and retry the queue (cron), list, purge, preview, test."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from coproctl import typography
from coproctl.cli.labels import complete_mail_kind
from coproctl.cli.output import All, Limit, Offset, cut_notice, effective_limit, emit, table
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
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="N'affiche rien, sauf un échec (cron).")]


def _summary(report: DeliveryReport) -> list[str]:
    """What the run did, then what it left waiting (and until when): nothing hidden."""
    from coproctl.clock import paris_text
    from coproctl.mail.transports import describe

    sent = "Écrits" if (report.transport or "").startswith(("file:", "console")) else "Envoyés"
    lines = [
        f"{sent} : {report.sent}, à réessayer : {report.retrying}, "
        f"en échec : {report.failed}, non envoyés (code expiré ou remplacé) : {report.expired}."
    ]
    if report.waiting:
        lines.append(
            f"{typography.count(report.waiting, 'message')} en attente, prochain essai à partir du "
            f"{paris_text(report.next_attempt_at)} (« coproctl mail retry --all » pour "
            "réessayer maintenant)."
        )
    if report.sent and report.transport:
        lines.append(f"Par {describe(report.transport)}.")
    return lines


def _problems(report: DeliveryReport) -> list[str]:
    from coproctl.mail.transports import describe

    lines = [f"Échec du message {f.id} pour {f.to} : {f.error}" for f in report.failures]
    if report.unreachable:
        lines.append(
            f"Serveur d'envoi inutilisable : {report.unreachable}. Les messages restent en "
            "attente et seront renvoyés au prochain passage."
        )
    for key, number in report.elsewhere.items():
        lines.append(
            f"{typography.count(number, 'message')} en attente pour {describe(key)} : "
            f"laissés en attente, ce passage est réglé pour {describe(report.transport)}. "
            "Vérifiez les réglages (coproctl config show) ; pour les envoyer quand même par "
            "celui-ci : coproctl mail retry --all --use-this-transport."
        )
    return lines


def _report(ctx: typer.Context, report: DeliveryReport, quiet: bool) -> None:
    """A run of the queue: text or --json; exit 1 if the relay was unusable or messages
    were left for another transport."""
    st = state(ctx)
    if st.json:
        emit(True, report.as_dict(), "")
    else:
        if not quiet:
            for line in _summary(report):
                typer.echo(line)
        for line in _problems(report):
            typer.echo(line, err=True)
        if report.sent and (report.transport or "").startswith("file:"):
            from coproctl.mail.state import file_notice

            typer.echo(file_notice(report.transport.removeprefix("file:")), err=True)
    if report.unreachable or report.elsewhere:
        raise typer.Exit(1)


@app.command()
def send(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Traite au plus N messages.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Envoie les messages dus de la file, avec nouveaux essais espacés (cron).

    Code de sortie 1 si le serveur d'envoi est inutilisable, ou si des messages attendent un
    autre transport que celui de ce passage (autre relais, dossier) : ils restent en attente.
    """
    with backoffice(ctx) as office:
        from coproctl.services.mail.queue import send_queue

        report = send_queue(office, limit=limit)
    _report(ctx, report, quiet)


@app.command()
def retry(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None,
        typer.Argument(metavar="NUMÉRO", help="Numéros des messages (mail list), ou --all."),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Tous les messages en attente.")] = False,
    use_this_transport: Annotated[
        bool,
        typer.Option(
            "--use-this-transport",
            help="Envoie aussi, par le transport réglé ici, les messages prévus pour un autre "
            "(autre relais, dossier).",
        ),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Réessaie maintenant des messages en attente, sans attendre l'heure prévue."""
    with backoffice(ctx) as office:
        from coproctl.errors import BadInput
        from coproctl.services.mail.queue import retry_mail

        if bool(ids) == all_:
            raise BadInput("bad_usage", "Donnez des numéros de message, ou --all (pas les deux).")
        report = retry_mail(office, None if all_ else ids, use_this_transport=use_this_transport)
    _report(ctx, report, quiet)


@app.command("test")
def test_(
    ctx: typer.Context,
    address: Annotated[
        str, typer.Argument(metavar="ADRESSE", help="Adresse qui reçoit le message d'essai.")
    ],
) -> None:
    """Envoie un message d'essai par le transport réglé, et affiche la réponse du serveur.

    Rien n'est mis en file : les réglages tels qu'ils sont (serveur, port, TLS, identifiant,
    expéditeur) sont essayés tout de suite. Code de sortie 1 si le message n'a pas pu partir
    (ce qui a échoué, et que faire).
    """
    with errors_handled(ctx) as st:
        from coproctl.config import load_settings
        from coproctl.mail.transports import described_to
        from coproctl.services.mail.trial import send_trial

        settings = load_settings(st.config, database_url=st.db)
        result = send_trial(settings, address, st.actor)
        if st.json:
            emit(True, result, "")
        elif result.ok:
            typer.echo(f"Message d'essai remis {described_to(result.transport)} pour {result.to}.")
            typer.echo(f"Réponse : {result.reply}")
            if result.transport.startswith(("file:", "console")):
                typer.echo("Attention : rien n'est envoyé par ce transport.", err=True)
        else:
            typer.echo(f"Échec du message d'essai pour {result.to} : {result.reply}", err=True)
            if result.hint:
                typer.echo(f"⇒ {result.hint}", err=True)
        if not result.ok:
            raise typer.Exit(1)


def mail_lines(views: list[MailView], *, count: bool = True) -> None:
    """One line per message (addresses stay whole on a narrow terminal), then why."""
    from coproctl.clock import paris_text

    for v in views:
        account = f" ({v.identifiant})" if v.identifiant else ""
        tries = (
            f", {typography.count(v.attempts, 'essai')}"
            if v.attempts != 1 or v.status != "sent"
            else ""
        )
        typer.echo(
            f"n°{v.id}  {paris_text(v.created_at)}  {v.kind} → {v.to}{account} : "
            f"{STATUS_FR.get(v.status, v.status)}{tries}"
        )
        if v.error:
            typer.echo(f"    {v.error}")
        if v.hint:
            typer.echo(f"    ⇒ {v.hint}")
    if count:
        typer.echo(f"{typography.count(len(views), 'message')}.")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUT",
            help="queued (en attente), sending (en cours d'envoi), sent (envoyé), failed (échec) "
            "ou expired (non envoyé, code expiré).",
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="ADRESSE",
            help="Adresse du destinataire (casse indifférente), ou une partie : orange.fr.",
        ),
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", metavar="IDENTIFIANT", help="Identifiant du compte.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="TYPE",
            help="Type de message : update_code, reset_code... (mail preview les liste).",
            autocompletion=complete_mail_kind,
        ),
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option("--since", formats=DATE_FORMATS, help="Mis en file depuis (heure de Paris)."),
    ] = None,
    limit: Limit = None,
    offset: Offset = 0,
    all_rows: All = False,
) -> None:
    """Les messages, du plus récent : ce qui est parti, ce qui attend, ce qui a échoué, pourquoi.

    À l'écran, 100 messages au plus, et la ligne du bas dit combien il y en a en tout ;
    --json les donne tous (sauf --limit)."""
    with backoffice(ctx) as office:
        from coproctl.services.mail.queue import mail_page

        json_mode = state(ctx).json
        page = mail_page(
            office,
            status=status,
            to=to,
            identifiant=account,
            kind=kind,
            since=since,
            limit=effective_limit(limit, all_rows, whole=json_mode, default=100),
            offset=offset,
        )
        views = page.rows

        def human() -> None:
            mail_lines(views, count=False)
            typer.echo(f"{typography.count(page.total, 'message')}.")
            notice = cut_notice(len(views), page.offset, page.total)
            if notice:
                typer.echo(notice)

        emit(json_mode, [view.as_dict() for view in views], human)


@app.command()
def purge(
    ctx: typer.Context,
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            min=1,
            metavar="JOURS",
            help="Âge en jours (par défaut : le réglage MAIL_RETENTION_DAYS).",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Compte, ne supprime rien.")] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Lignes par transaction.")
    ] = 1000,
    quiet: Quiet = False,
) -> None:
    """Supprime les messages envoyés, en échec ou périmés depuis plus de JOURS jours (cron).

    La file d'attente n'est jamais touchée.
    """
    with backoffice(ctx) as office:
        from coproctl.services.mail.queue import purge_mail

        report = purge_mail(
            office, older_than_days=older_than, dry_run=dry_run, batch_size=batch_size
        )
        removed = report.removed
        verb = "à supprimer" if report.dry_run else ("supprimés" if removed > 1 else "supprimé")
        text = (
            f"{typography.count(removed, 'message')} {verb} : envoyés, en échec ou non "
            f"envoyés depuis plus de {typography.count(report.older_than_days, 'jour')}."
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
            metavar="TYPE",
            autocompletion=complete_mail_kind,
            help="update_code, reset_code, email_change_code, password_changed, "
            "email_changed, account_reset ou account_activated. Sans lui : vérifie tous les "
            "modèles.",
        ),
    ] = None,
    html: Annotated[bool, typer.Option("--html", help="Affiche la version HTML.")] = False,
) -> None:
    """Montre un e-mail tel qu'un propriétaire le recevrait, avec les modèles en service.

    Les modèles du dossier MAIL_TEMPLATES_DIR d'abord, puis ceux fournis.
    """
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
                "Modèles en service : tous utilisables",
                ["type", "sujet", "variables"],
                [(p.kind, p.subject, " ".join(f"${n}" for n in p.placeholders)) for p in previews],
            ),
        )
