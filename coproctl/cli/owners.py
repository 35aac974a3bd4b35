"""``coproctl owner show|export|erase``: staff, and the data-protection requests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coproctl.cli.labels import PROCEDURE_STATE, PURPOSE, STATUS, label
from coproctl.cli.output import confirm, emit, fields, table, to_json, when
from coproctl.cli.runtime import backoffice, state
from coproctl.errors import BadInput
from coproctl.typography import NBSP, count

if TYPE_CHECKING:
    from coproctl.services.owners.personal_data import ErasedOwner, OwnerView

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

OwnerRef = Annotated[
    str, typer.Argument(metavar="REF", help="La référence du propriétaire chez le syndic.")
]


def _name(view: OwnerView) -> str:
    return " ".join(filter(None, [view.civility, view.first_name, view.last_name]))


def _show(view: OwnerView) -> None:

    address = ", ".join(
        filter(None, [view.address, " ".join(filter(None, [view.postal_code, view.city]))])
    )
    fields(
        [
            ("Référence", view.owner_ref),
            ("Nom", _name(view)),
            ("Adresse", address or "—"),
            ("Créé le", when(view.created_at)),
        ]
    )
    typer.echo("")
    table(
        f"{count(len(view.accounts), 'compte')}{NBSP}:",
        ["identifiant", "statut", "e-mail", "copropriété", "lots", "procédure en cours"],
        [
            (
                a.identifiant,
                label(STATUS, a.status),
                (a.email or "—") + ("" if a.email_verified_at else " (non vérifié)"),
                a.copropriete,
                ", ".join(a.lots),
                f"{label(PURPOSE, a.procedure.purpose)}, "
                f"{label(PROCEDURE_STATE, a.procedure.state)}"
                if a.procedure
                else "",
            )
            for a in view.accounts
        ],
    )


@app.command()
def show(ctx: typer.Context, owner_ref: OwnerRef) -> None:
    """Le propriétaire, ses comptes et la procédure en cours de chacun."""
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
            "unwritable_file", f"Écriture impossible : {path} ({exc.strerror})."
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
            metavar="FICHIER",
            help="Écrire l'export dans ce fichier (droits 0600) plutôt que sur la sortie standard.",
        ),
    ] = None,
) -> None:
    """Tout ce qui est conservé sur le propriétaire et ses comptes, en JSON (droit d'accès).

    Propriétaire, comptes, codes de vérification, e-mails et événements d'audit : toutes
    les colonnes sauf les secrets (empreinte du mot de passe, empreintes des codes, codes en
    attente d'envoi), que l'export nomme sous « withheld ». L'export est inscrit au journal
    d'audit.
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
            f"({count(len(data['accounts']), 'compte')}).",
        )


def _erased(result: ErasedOwner) -> str:
    c = result.counts
    return (
        f"Données personnelles effacées. Pseudonyme{NBSP}: {result.pseudonym}{NBSP}; comptes "
        f"désactivés{NBSP}: {', '.join(result.accounts) or 'aucun'}{NBSP}; "
        f"{count(c['codes'], 'code supprimé', 'codes supprimés')}, "
        f"{count(c['mails'], 'e-mail', 'e-mails')} et "
        f"{count(c['audit_events'], 'événement d’audit', 'événements d’audit')} anonymisés."
    )


@app.command()
def erase(
    ctx: typer.Context,
    owner_ref: OwnerRef,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Ne pas demander de confirmation (scripts).")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Effacer même pendant une procédure en cours."),
    ] = False,
) -> None:
    """Anonymiser les données personnelles du propriétaire et désactiver ses comptes (droit à
    l'effacement).

    Irréversible. Les événements d'audit sont gardés, sous un pseudonyme, pour que le
    journal les compte encore. Refusé pendant une procédure en cours sur l'un des comptes,
    sauf --force ; ce refus est dit avant toute question.
    """
    with backoffice(ctx) as office:
        from coproctl.services.owners.personal_data import check_erasable, erase_owner

        if not yes:
            view = check_erasable(office, owner_ref, force=force)
            accounts = ", ".join(a.identifiant for a in view.accounts) or "aucun compte"
            confirm(
                f"Effacer définitivement les données de {view.owner_ref} ({_name(view)}{NBSP}; "
                f"{accounts}){NBSP}?",
                yes=yes,
                cancelled="Effacement annulé",
            )
        result = erase_owner(office, owner_ref, force=force)
        emit(state(ctx).json, result, _erased(result))
