"""``coproctl password set|forgot|change``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from coproctl.cli.output import emit
from coproctl.cli.proofs import proof_in_use
from coproctl.cli.render import deliver_and_emit
from coproctl.cli.runtime import PASSWORD_STDIN_HELP, SecretReader, backoffice, state

if TYPE_CHECKING:
    from coproctl.services.procedures.new_password import PasswordChanged

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

IDENTIFIANT_HELP = "Identifiant du propriétaire."
NOTED_HELP = (
    "Le propriétaire a noté le nouveau mot de passe en lieu sûr (obligatoire après un mot de "
    "passe oublié et pour un changement)."
)


def _changed_text(result: PasswordChanged) -> str:
    lines = ["Nouveau mot de passe enregistré pour : " + ", ".join(result.identifiants) + "."]
    lines += [kept.message for kept in result.kept]
    return "\n".join(lines)


def _tell(json_mode: bool, lines: list[str]) -> None:
    """Before any secret is asked: on standard error, so that --json stays one document."""
    if not json_mode:
        for line in lines:
            typer.echo(line, err=True)


def _rules(rules: list[str]) -> list[str]:
    return ["Le nouveau mot de passe :", *(f"- {rule}" for rule in rules)]


@app.command("set")
def set_(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help=IDENTIFIANT_HELP)],
    this_account_only: Annotated[
        bool,
        typer.Option(
            "--this-account-only",
            help="Après une mise à jour : le mot de passe et l'adresse pour ce compte "
            "seulement, pas pour les autres comptes du propriétaire.",
        ),
    ] = False,
    noted: Annotated[bool, typer.Option("--noted", help=NOTED_HELP)] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """Dernière étape de la mise à jour ou du mot de passe oublié, le code une fois validé
    (`code verify`, sur ce poste et avec ce compte utilisateur).

    Avant tout secret : l'état de la procédure, --noted, les règles, et les autres comptes
    que le mot de passe atteindra. Secrets : le nouveau mot de passe (vérifié aussitôt),
    puis sa confirmation.
    """
    json_mode = state(ctx).json
    with backoffice(ctx) as office:
        from coproctl.services.procedures.new_password import set_password
        from coproctl.services.procedures.password_plan import check_candidate, plan_password_set

        with proof_in_use(office.settings, identifiant) as proof:
            plan = plan_password_set(
                office, identifiant, proof=proof, this_account_only=this_account_only, noted=noted
            )
            announce = _rules(plan.rules) + plan.warnings
            if plan.others:
                announce.append(
                    f"(Pour ce compte seulement : coproctl password set {plan.identifiant} "
                    "--this-account-only)"
                )
            _tell(json_mode, announce)
            reader = SecretReader(password_stdin)
            new = reader.read("Nouveau mot de passe")
            check_candidate(office, plan, new)
            confirmation = reader.read("Confirmez le nouveau mot de passe")
            result = set_password(
                office,
                identifiant,
                new,
                confirmation,
                proof=proof,
                this_account_only=this_account_only,
                noted=noted,
            )
        deliver_and_emit(json_mode, office, result, _changed_text(result))


@app.command()
def forgot(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help=IDENTIFIANT_HELP)],
    email: Annotated[
        str, typer.Option("--email", help="L'adresse e-mail liée au compte, selon le propriétaire.")
    ],
) -> None:
    """Mot de passe oublié, étape 1 : un code est envoyé si l'identifiant et l'adresse
    correspondent.

    La réponse est la même dans tous les cas ; une ligne pour le personnel, sur la sortie
    d'erreur (ou « staff_note » en --json), dit si un code a été remis à l'envoi, sinon
    pourquoi, et la suite.
    """
    with backoffice(ctx) as office:
        from coproctl.services.procedures.forgotten import forgot_password

        result = forgot_password(office, identifiant, email)
        # the owner's answer as it is, then (staff only, never on an owner's page) the reason
        staff = {**result.as_dict(), "staff_note": result.staff_note.as_dict()}
        emit(state(ctx).json, staff, result.answer)
        if not state(ctx).json:
            typer.echo(result.staff_note.message, err=True)
        # the same hand-over in every case: a detached process delivers (issue 9)
        office.deliver_pending(background=True)


@app.command()
def change(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help=IDENTIFIANT_HELP)],
    noted: Annotated[bool, typer.Option("--noted", help=NOTED_HELP)] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """Paramètres : changer le mot de passe d'un compte actif (ce compte seulement).

    Avant tout secret : --noted et les règles. Secrets : le mot de passe actuel, le nouveau
    (vérifié aussitôt), puis sa confirmation.
    """
    json_mode = state(ctx).json
    with backoffice(ctx) as office:
        from coproctl.services.procedures.new_password import change_password
        from coproctl.services.procedures.password_plan import (
            password_rules,
            policy_precheck,
            require_noted,
        )

        require_noted(noted)
        _tell(json_mode, _rules(password_rules()))
        reader = SecretReader(password_stdin)
        current = reader.read("Mot de passe actuel")
        new = reader.read("Nouveau mot de passe")
        refusal = policy_precheck(office, new)
        if refusal is not None:
            raise refusal
        confirmation = reader.read("Confirmez le nouveau mot de passe")
        result = change_password(office, identifiant, current, new, confirmation, noted=noted)
        deliver_and_emit(json_mode, office, result, _changed_text(result))
