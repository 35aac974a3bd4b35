"""``coproctl account ...``: the staff's commands on accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from coproctl.cli.labels import (
    LOCK,
    ORIGIN,
    PROCEDURE_STATE,
    PURPOSE,
    STATUS,
    STATUS_LONG,
    complete_identifiant,
    complete_status,
    label,
    parse_status,
)
from coproctl.cli.output import (
    All,
    Csv,
    Limit,
    Offset,
    confirm,
    cut_notice,
    details_text,
    effective_limit,
    emit,
    fields,
    table,
    when,
    write_csv,
)
from coproctl.cli.render import deliver_and_emit
from coproctl.cli.runtime import PASSWORD_STDIN_HELP, SecretReader, backoffice, state
from coproctl.errors import BadInput
from coproctl.typography import NBSP, count

if TYPE_CHECKING:
    from coproctl.services.owners.accounts import NewAccount, StaffPreview
    from coproctl.services.owners.views import AccountView

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

Identifiant = Annotated[
    str,
    typer.Argument(
        metavar="IDENTIFIANT",
        help="L'identifiant du compte (majuscules ou minuscules).",
        autocompletion=complete_identifiant,
    ),
]
Yes = Annotated[
    bool, typer.Option("--yes", "-y", help="Ne pas demander de confirmation (scripts).")
]


def _full_name(view: AccountView) -> str:
    return " ".join(filter(None, [view.civility, view.first_name, view.last_name]))


def lock_text(view: AccountView) -> str:
    """``non``, or until when and why: a staff lock is not told as failed logins."""

    if not view.locked:
        return "non"
    until = f"jusqu'au {when(view.locked_until)}"
    if view.lock_reason == "staff":
        who = f" ({view.locked_by})" if view.locked_by else ""
        return f"{until}, {LOCK['staff']}{who}"
    return f"{until}, {LOCK['failed_logins']}"


def _procedure_text(view: AccountView) -> str | None:

    p = view.procedure
    if p is None:
        return None
    from coproctl.cli.render import delivery_text

    return (
        f"{label(PURPOSE, p.purpose)} — {label(PROCEDURE_STATE, p.state)} ; code pour {p.to}"
        f"{delivery_text(p.delivery)}, valable jusqu'au {when(p.code_expires_at)} ; "
        f"{count(p.attempts, 'essai faux', 'essais faux')}"
    )


def _show(view: AccountView) -> None:

    verified = (
        f" (vérifié le {when(view.email_verified_at)})"
        if view.email_verified_at
        else " (non vérifié)"
    )
    changed = f", changé le {when(view.password_changed_at)}" if view.password_changed_at else ""
    fields(
        [
            ("Identifiant", view.identifiant),
            ("Statut", label(STATUS_LONG, view.status)),
            ("Propriétaire", f"{view.owner_ref} — {_full_name(view)}"),
            ("Copropriété", view.copropriete or "—"),
            ("Lots", ", ".join(view.lots) or "—"),
            ("E-mail", f"{view.email or '—'}{verified}"),
            ("Verrouillé", lock_text(view)),
            ("Échecs de connexion", view.failed_logins),
            ("Mot de passe", f"{label(ORIGIN, view.password_origin)}{changed}"),
            ("Autres comptes", ", ".join(view.siblings) or "aucun"),
            ("Procédure en cours", _procedure_text(view) or "aucune"),
        ]
    )
    if view.mails:
        from coproctl.cli.mail import mail_lines

        typer.echo(f"\nDerniers e-mails{NBSP}:")
        mail_lines(view.mails, count=False)
    if view.recent_events:
        typer.echo("")
        table(
            f"Derniers événements{NBSP}:",
            ["quand", "acteur", "action", "résultat", "détails"],
            [
                (when(e.at), e.actor, e.action, e.outcome, details_text(e.details))
                for e in view.recent_events
            ],
        )


def _created(result: NewAccount, verb: str) -> None:
    view = result.account
    typer.echo(f"Compte {view.identifiant} {verb}{NBSP}: {label(STATUS_LONG, view.status)}.")
    if result.initial_password is not None:
        typer.echo(
            f"Mot de passe initial (affiché une seule fois, à communiquer par courrier){NBSP}: "
            f"{result.initial_password}"
        )


@app.command()
def create(
    ctx: typer.Context,
    identifiant: Identifiant,
    owner_ref: Annotated[
        str,
        typer.Option(
            "--owner-ref", metavar="REF", help="La référence du propriétaire chez le syndic."
        ),
    ],
    last_name: Annotated[
        str,
        typer.Option("--last-name", metavar="NOM", help="Nom du propriétaire (ou raison sociale)."),
    ],
    first_name: Annotated[
        str | None,
        typer.Option("--first-name", metavar="PRÉNOM", help="Prénom du propriétaire."),
    ] = None,
    civility: Annotated[
        str | None, typer.Option("--civility", metavar="CIVILITÉ", help="M., Mme, …")
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email", metavar="ADRESSE", help="E-mail de contact, gardé comme non vérifié."
        ),
    ] = None,
    copropriete: Annotated[
        str | None,
        typer.Option("--copropriete", metavar="NOM", help="Nom de la copropriété."),
    ] = None,
    lot: Annotated[
        list[str] | None,
        typer.Option("--lot", metavar="LOT", help="Un numéro de lot (option répétable)."),
    ] = None,
    generate_password: Annotated[
        bool,
        typer.Option(
            "--generate-password",
            help="Générer le mot de passe initial et l'afficher une seule fois.",
        ),
    ] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """Créer un compte en attente. Secret : le mot de passe initial (sauf --generate-password)."""
    with backoffice(ctx) as office:
        from coproctl.inputs import check_initial_password
        from coproctl.services.owners.accounts import create_account

        if generate_password and password_stdin:
            raise BadInput("bad_usage", "--generate-password et --password-stdin s'excluent.")
        initial = None
        if not generate_password:
            reader = SecretReader(password_stdin)
            initial = reader.read("Mot de passe initial")
            # the rule before the confirmation: no second typing of a refused password
            check_initial_password(initial, identifiant=identifiant, names=[last_name, first_name])
            if not password_stdin and reader.read("Confirmez le mot de passe initial") != initial:
                raise BadInput("password_mismatch", "Les deux saisies sont différentes.")
        result = create_account(
            office,
            identifiant,
            owner_ref=owner_ref,
            last_name=last_name,
            first_name=first_name,
            civility=civility,
            email=email,
            copropriete=copropriete,
            lots=lot or [],
            initial_password=initial,
        )
        emit(state(ctx).json, result, lambda: _created(result, "créé"))


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUT",
            help="« en attente », actif ou désactivé (ou pending, active, disabled).",
            autocompletion=complete_status,
        ),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="REF", help="Référence du propriétaire.")
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            metavar="TEXTE",
            help="Mots cherchés dans l'identifiant, le nom, le prénom, la référence, l'e-mail "
            "et la copropriété ; tous doivent s'y trouver ; accents, majuscules et œ/æ "
            "indifférents (lefevre trouve Lefèvre).",
        ),
    ] = None,
    locked: Annotated[
        bool,
        typer.Option("--locked", help="Seulement les comptes verrouillés en ce moment."),
    ] = False,
    limit: Limit = None,
    offset: Offset = 0,
    all_rows: All = False,
    csv_output: Csv = False,
) -> None:
    """Lister les comptes, filtrés par statut, propriétaire ou texte, par identifiant."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import account_page

        json_mode = state(ctx).json
        page = account_page(
            office,
            status=parse_status(status),
            owner_ref=owner,
            text=search,
            locked=locked,
            limit=effective_limit(limit, all_rows, whole=json_mode or csv_output, default=200),
            offset=offset,
        )
        views = page.rows
        if csv_output and not json_mode:
            _accounts_csv(views)
            return
        emit(json_mode, [view.as_dict() for view in views], lambda: _accounts_table(page, locked))


def _account_row(view: AccountView, locked: bool) -> list[str | None]:
    row = [
        view.identifiant,
        label(STATUS, view.status),
        view.owner_ref,
        _full_name(view),
        view.email,
        view.copropriete,
    ]
    if locked:
        row.append(lock_text(view))
    return row


def _accounts_table(page: Any, locked: bool) -> None:
    columns = ["identifiant", "statut", "réf.", "propriétaire", "e-mail", "copropriété"]
    if locked:
        columns.append("verrouillé")
    table(None, columns, [_account_row(view, locked) for view in page.rows])
    typer.echo(f"{count(page.total, 'compte')}.")
    notice = cut_notice(len(page.rows), page.offset, page.total)
    if notice:
        typer.echo(notice)


def _accounts_csv(views: list[AccountView]) -> None:
    from coproctl.clock import paris_iso

    write_csv(
        [
            "identifiant",
            "statut",
            "référence propriétaire",
            "civilité",
            "nom",
            "prénom",
            "e-mail",
            "e-mail vérifié le",
            "copropriété",
            "lots",
            "verrouillé jusqu'au",
        ],
        [
            (
                v.identifiant,
                label(STATUS, v.status),
                v.owner_ref,
                v.civility,
                v.last_name,
                v.first_name,
                v.email,
                paris_iso(v.email_verified_at),
                v.copropriete,
                v.lots,
                paris_iso(v.locked_until) if v.locked else None,
            )
            for v in views
        ],
    )


@app.command()
def show(ctx: typer.Context, identifiant: Identifiant) -> None:
    """Tout sur un compte : statut, e-mail, verrouillage, procédure, derniers e-mails et
    événements."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import show_account

        view = show_account(office, identifiant)
        emit(state(ctx).json, view.as_dict(detailed=True), lambda: _show(view))


def reset_question(preview: StaffPreview) -> str:
    """What ``account reset`` replaces, for staff to confirm."""

    view = preview.account
    changed = f", changé le {when(view.password_changed_at)}" if view.password_changed_at else ""
    lines = [
        f"Réinitialiser le compte {view.identifiant} "
        f"({view.owner_ref} — {preview.owner_name}){NBSP}?",
        f"  - mot de passe actuel ({label(ORIGIN, view.password_origin)}{changed}) remplacé par "
        "un nouveau mot de passe initial, affiché une seule fois, à envoyer par courrier ;",
        f"  - statut{NBSP}: {label(STATUS_LONG, view.status)} → {STATUS_LONG['pending']} ;",
    ]
    if view.email:
        notice = " ; un avis de réinitialisation y est envoyé" if view.email_verified_at else ""
        lines.append(f"  - e-mail {view.email} conservé, à vérifier de nouveau{notice} ;")
    if view.procedure is not None:
        lines.append(f"  - procédure en cours ({label(PURPOSE, view.procedure.purpose)}) arrêtée ;")
    if view.locked:
        lines.append(f"  - verrouillage ({lock_text(view)}) levé ;")
    lines[-1] = lines[-1].removesuffix(" ;") + "."
    return "\n".join(lines)


@app.command()
def reset(ctx: typer.Context, identifiant: Identifiant, yes: Yes = False) -> None:
    """Remettre le compte en attente avec un nouveau mot de passe initial, affiché une seule
    fois (pour un courrier). Dit ce qui sera remplacé et demande confirmation (--yes pour
    les scripts)."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import preview_staff_change, reset_account

        if not yes:
            preview = preview_staff_change(office, identifiant)
            confirm(reset_question(preview), yes=yes, cancelled="Réinitialisation annulée")
        result = reset_account(office, identifiant)
        deliver_and_emit(state(ctx).json, office, result, lambda: _created(result, "réinitialisé"))


@app.command()
def lock(
    ctx: typer.Context,
    identifiant: Identifiant,
    minutes: Annotated[
        int, typer.Option("--minutes", min=1, help="Durée du verrouillage, en minutes.")
    ] = 60,
) -> None:
    """Verrouiller le compte pour un temps (connexions refusées) ; le propriétaire lit que le
    syndic l'a verrouillé."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import lock_account

        view = lock_account(office, identifiant, minutes)
        emit(
            state(ctx).json,
            view.as_dict(),
            f"Compte {view.identifiant} verrouillé {lock_text(view)}.",
        )


@app.command()
def unlock(ctx: typer.Context, identifiant: Identifiant) -> None:
    """Lever le verrouillage et remettre à zéro le compteur d'échecs de connexion."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import unlock_account

        _done(ctx, unlock_account(office, identifiant), "déverrouillé")


@app.command()
def disable(ctx: typer.Context, identifiant: Identifiant) -> None:
    """Désactiver le compte ; les procédures en cours s'arrêtent."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import disable_account

        _done(ctx, disable_account(office, identifiant), "désactivé")


@app.command()
def enable(ctx: typer.Context, identifiant: Identifiant) -> None:
    """Réactiver un compte désactivé (actif, ou en attente s'il n'a jamais été mis à jour).

    Les essais de connexion faits pendant la désactivation ne comptent plus : le compteur
    d'échecs est remis à zéro et le verrouillage qu'ils ont causé levé. Un verrouillage posé
    par le personnel reste (account unlock le lève).
    """
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import enable_account

        _done(ctx, enable_account(office, identifiant), "réactivé")


def link_question(preview: StaffPreview) -> str:
    """What ``account link`` replaces, for staff to confirm."""
    view = preview.account
    kept = f"e-mail {view.email} et mot de passe" if view.email else "mot de passe"
    return "\n".join(
        [
            f"Rattacher le compte {view.identifiant} à {preview.target_ref} — "
            f"{preview.target_name}{NBSP}?",
            f"  - propriétaire actuel, remplacé{NBSP}: {view.owner_ref} — {preview.owner_name} ;",
            f"  - {kept} du compte conservés.",
        ]
    )


@app.command()
def link(
    ctx: typer.Context,
    identifiant: Identifiant,
    owner_ref: Annotated[
        str,
        typer.Option("--owner-ref", metavar="REF", help="Le propriétaire auquel le rattacher."),
    ],
    yes: Yes = False,
) -> None:
    """Rattacher le compte à un autre propriétaire existant ; dit lequel il remplace et
    demande confirmation (--yes pour les scripts)."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import link_account, preview_staff_change

        preview = preview_staff_change(office, identifiant, link_to=owner_ref)
        confirm(link_question(preview), yes=yes, cancelled="Rattachement annulé")
        _done(ctx, link_account(office, identifiant, owner_ref), f"rattaché à {owner_ref}")


def _done(ctx: typer.Context, view: AccountView, verb: str) -> None:
    emit(
        state(ctx).json,
        view.as_dict(),
        f"Compte {view.identifiant} {verb} ({label(STATUS_LONG, view.status)}).",
    )
