"""``coproctl account ...``: the staff's commands on accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from coproctl.cli.output import emit, fields, table
from coproctl.cli.render import details_text
from coproctl.cli.runtime import PASSWORD_STDIN_HELP, SecretReader, backoffice, state
from coproctl.errors import BadInput

if TYPE_CHECKING:
    from coproctl.services.owners.accounts import NewAccount
    from coproctl.services.owners.views import AccountView

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

Identifiant = Annotated[str, typer.Argument(help="The account's identifiant.")]

STATUS_FR = {"pending": "en attente de mise à jour", "active": "actif", "disabled": "désactivé"}


def _full_name(view: AccountView) -> str:
    return " ".join(filter(None, [view.civility, view.first_name, view.last_name]))


def _show(view: AccountView) -> None:
    from coproctl.clock import paris_text

    fields(
        [
            ("Identifiant", view.identifiant),
            ("Statut", f"{view.status} ({STATUS_FR.get(view.status, view.status)})"),
            ("Propriétaire", f"{view.owner_ref} — {_full_name(view)}"),
            ("Copropriété", view.copropriete),
            ("Lots", ", ".join(view.lots)),
            (
                "E-mail",
                f"{view.email or '—'}"
                + (
                    f" (vérifié le {paris_text(view.email_verified_at)})"
                    if view.email_verified_at
                    else " (non vérifié)"
                ),
            ),
            ("Verrouillé jusqu'au", paris_text(view.locked_until) if view.locked else "non"),
            ("Échecs de connexion", view.failed_logins),
            (
                "Mot de passe",
                f"{view.password_origin}"
                + (
                    f", changé le {paris_text(view.password_changed_at)}"
                    if view.password_changed_at
                    else ""
                ),
            ),
            ("Autres comptes", ", ".join(view.siblings) or "aucun"),
        ]
    )
    if view.procedure is not None:
        p = view.procedure
        typer.echo(
            f"\nProcédure en cours : {p.purpose}, {p.state}, code envoyé à {p.to}, "
            f"expire le {paris_text(p.code_expires_at)}, {p.attempts} essai(s) faux"
        )
    if view.mails:
        from coproctl.cli.mail import mail_lines

        typer.echo("\nDerniers e-mails :")
        mail_lines(view.mails, count=False)
    if view.recent_events:
        table(
            "Derniers événements",
            ["quand", "acteur", "action", "résultat", "détails"],
            [
                (
                    paris_text(e.at),
                    e.actor,
                    e.action,
                    e.outcome,
                    details_text(e.details),
                )
                for e in view.recent_events
            ],
        )


def _created(result: NewAccount, verb: str) -> None:
    view = result.account
    typer.echo(f"Compte {view.identifiant} {verb} : statut {view.status}.")
    if result.initial_password is not None:
        typer.echo(
            f"Mot de passe initial (affiché une seule fois, à communiquer par courrier) : "
            f"{result.initial_password}"
        )


@app.command()
def create(
    ctx: typer.Context,
    identifiant: Identifiant,
    owner_ref: Annotated[str, typer.Option("--owner-ref", help="The syndic's owner reference.")],
    last_name: Annotated[str, typer.Option("--last-name", help="Owner's last name (or company).")],
    first_name: Annotated[
        str | None, typer.Option("--first-name", help="Owner's first name.")
    ] = None,
    civility: Annotated[str | None, typer.Option("--civility", help="M., Mme, ...")] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Contact e-mail, kept unverified.")
    ] = None,
    copropriete: Annotated[
        str | None, typer.Option("--copropriete", help="Copropriété name.")
    ] = None,
    lot: Annotated[
        list[str] | None, typer.Option("--lot", help="A lot number (repeatable).")
    ] = None,
    generate_password: Annotated[
        bool,
        typer.Option("--generate-password", help="Generate the initial password and show it once."),
    ] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """Create one pending account. Secret: the initial password (unless --generate-password)."""
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
        str | None, typer.Option("--status", help="pending, active or disabled.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Owner reference.")] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="Text in identifiant, name, e-mail, copropriété.")
    ] = None,
    locked: Annotated[bool, typer.Option("--locked", help="Only accounts locked now.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many rows.")] = 200,
) -> None:
    """List accounts, filtered by status, owner or text."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import list_accounts

        views = list_accounts(
            office, status=status, owner_ref=owner, text=search, locked=locked, limit=limit
        )
        emit(
            state(ctx).json,
            [view.as_dict() for view in views],
            lambda: table(
                f"{len(views)} compte(s)",
                ["identifiant", "statut", "propriétaire", "nom", "e-mail", "copropriété"],
                [
                    (v.identifiant, v.status, v.owner_ref, v.last_name, v.email, v.copropriete)
                    for v in views
                ],
            ),
        )


@app.command()
def show(ctx: typer.Context, identifiant: Identifiant) -> None:
    """Everything about one account: status, e-mail, lock, procedure, last mails and events."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import show_account

        view = show_account(office, identifiant)
        emit(state(ctx).json, view.as_dict(detailed=True), lambda: _show(view))


@app.command()
def reset(ctx: typer.Context, identifiant: Identifiant) -> None:
    """Put the account back to pending with a new generated initial password, shown once."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import reset_account

        result = reset_account(office, identifiant)
        emit(state(ctx).json, result, lambda: _created(result, "réinitialisé"))


@app.command()
def lock(
    ctx: typer.Context,
    identifiant: Identifiant,
    minutes: Annotated[int, typer.Option("--minutes", min=1, help="Lock duration.")] = 60,
) -> None:
    """Lock the account for a while (logins refused)."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import lock_account

        _done(ctx, lock_account(office, identifiant, minutes), "verrouillé")


@app.command()
def unlock(ctx: typer.Context, identifiant: Identifiant) -> None:
    """Clear the lock and the failed-login counter."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import unlock_account

        _done(ctx, unlock_account(office, identifiant), "déverrouillé")


@app.command()
def disable(ctx: typer.Context, identifiant: Identifiant) -> None:
    """Switch the account off; procedures in progress end."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import disable_account

        _done(ctx, disable_account(office, identifiant), "désactivé")


@app.command()
def enable(ctx: typer.Context, identifiant: Identifiant) -> None:
    """Switch a disabled account back on (active, or pending if never updated)."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import enable_account

        _done(ctx, enable_account(office, identifiant), "réactivé")


@app.command()
def link(
    ctx: typer.Context,
    identifiant: Identifiant,
    owner_ref: Annotated[str, typer.Option("--owner-ref", help="The owner to attach it to.")],
) -> None:
    """Attach the account to another existing owner."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.accounts import link_account

        _done(ctx, link_account(office, identifiant, owner_ref), f"rattaché à {owner_ref}")


def _done(ctx: typer.Context, view: AccountView, verb: str) -> None:
    emit(
        state(ctx).json, view.as_dict(), f"Compte {view.identifiant} {verb} (statut {view.status})."
    )
