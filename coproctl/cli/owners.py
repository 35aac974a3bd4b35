"""``coproctl owner show|export|erase``: staff, and the data-protection requests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coproctl.cli.output import emit, fields, table, to_json
from coproctl.cli.runtime import backoffice, state
from coproctl.errors import BadInput, Refused

if TYPE_CHECKING:
    from coproctl.services.owners.personal_data import ErasedOwner, OwnerView

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

YES = frozenset({"oui", "o", "yes", "y"})
OwnerRef = Annotated[str, typer.Argument(metavar="REF", help="The syndic's owner reference.")]


def _name(view: OwnerView) -> str:
    return " ".join(filter(None, [view.civility, view.first_name, view.last_name]))


def _show(view: OwnerView) -> None:
    from coproctl.clock import paris_text

    address = ", ".join(
        filter(None, [view.address, " ".join(filter(None, [view.postal_code, view.city]))])
    )
    fields(
        [
            ("Référence", view.owner_ref),
            ("Nom", _name(view)),
            ("Adresse", address or "—"),
            ("Créé le", paris_text(view.created_at)),
        ]
    )
    table(
        f"{len(view.accounts)} compte(s)",
        ["identifiant", "statut", "e-mail", "copropriété", "lots", "procédure en cours"],
        [
            (
                a.identifiant,
                a.status,
                (a.email or "—") + ("" if a.email_verified_at else " (non vérifié)"),
                a.copropriete,
                ", ".join(a.lots),
                f"{a.procedure.purpose} ({a.procedure.state})" if a.procedure else "",
            )
            for a in view.accounts
        ],
    )


@app.command()
def show(ctx: typer.Context, owner_ref: OwnerRef) -> None:
    """The owner, their accounts and each account's procedure in progress."""
    with backoffice(ctx) as office:
        from coproctl.services.owners.personal_data import show_owner

        view = show_owner(office, owner_ref)
        emit(state(ctx).json, view.as_dict(), lambda: _show(view))


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only (it holds personal data)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(path, 0o600)
    except OSError as exc:
        raise BadInput(
            "unwritable_file", f"Écriture impossible : {path} ({exc.strerror})."
        ) from None


@app.command()
def export(
    ctx: typer.Context,
    owner_ref: OwnerRef,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Write the export to this file (mode 0600) instead of standard output.",
        ),
    ] = None,
) -> None:
    """Everything held about the owner and their accounts, as JSON (the right of access).

    Owner, accounts, verification codes, mails and audit events, every column but the
    secrets (password hash, code digests, codes waiting in the outbox), which the export
    lists under "withheld". The export is recorded in the audit trail.
    """
    with backoffice(ctx) as office:
        from coproctl.services.owners.personal_data import export_owner

        data = export_owner(office, owner_ref)
        if output is None:
            typer.echo(to_json(data))
            return
        _write_private(output, to_json(data) + "\n")
        emit(
            state(ctx).json,
            {"owner_ref": data["owner"]["owner_ref"], "file": str(output)},
            f"Export de {data['owner']['owner_ref']} écrit dans {output} "
            f"({len(data['accounts'])} compte(s)).",
        )


def _erased(result: ErasedOwner) -> str:
    c = result.counts
    return (
        f"Données personnelles effacées. Pseudonyme : {result.pseudonym} ; comptes désactivés : "
        f"{', '.join(result.accounts) or 'aucun'} ; {c['codes']} code(s) supprimé(s), "
        f"{c['mails']} e-mail(s) et {c['audit_events']} événement(s) d'audit anonymisés."
    )


@app.command()
def erase(
    ctx: typer.Context,
    owner_ref: OwnerRef,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (scripts).")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Erase even while a procedure is in progress.")
    ] = False,
) -> None:
    """Anonymise the owner's personal data and disable their accounts (right to erasure).

    Irreversible. The audit events are kept, under a pseudonym, so the trail still counts
    them. Refused while one of the accounts is in the middle of a procedure, unless --force.
    """
    with backoffice(ctx) as office:
        from coproctl.services.owners.personal_data import erase_owner, show_owner

        if not yes:
            view = show_owner(office, owner_ref)
            accounts = ", ".join(a.identifiant for a in view.accounts) or "aucun compte"
            try:
                answer = typer.prompt(
                    f"Effacer définitivement les données de {view.owner_ref} ({_name(view)} ; "
                    f"{accounts}) ? Tapez « oui » pour confirmer",
                    default="non",
                    show_default=False,
                    err=True,
                )
            except typer.Abort:  # end of input: no answer is no
                answer = ""
            confirmed = answer.strip().lower() in YES
            if not confirmed:
                raise Refused("cancelled", "Effacement annulé : rien n'a été modifié.")
        result = erase_owner(office, owner_ref, force=force)
        emit(state(ctx).json, result, _erased(result))
