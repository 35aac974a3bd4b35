"""``coproctl code verify|resend``: the code of the procedure in progress."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from coproctl.cli.proofs import save_proof
from coproctl.cli.render import deliver_and_emit
from coproctl.cli.runtime import backoffice, state
from coproctl.errors import BadInput

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

NEXT_STEPS = {
    "password_set": "Code validé. Étape suivante : coproctl password set {identifiant}",
    "password_set_noted": (
        "Code validé. Étape suivante : coproctl password set {identifiant} --noted"
    ),
    "done": "Code validé : l'adresse e-mail du compte {identifiant} est maintenant {email}.",
}


def typed_code(words: list[str] | None, from_stdin: bool) -> str:
    """The code as given: words of the command line (``6776 1939`` unquoted is two), one
    line of standard input, or a hidden prompt (nothing in ``ps`` nor in the history)."""
    if words and from_stdin:
        raise BadInput(
            "usage",
            "Donnez le code soit en argument, soit sur l'entrée standard (--code-stdin), "
            "pas les deux.",
        )
    if words:
        return " ".join(words)
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise BadInput("missing_code", "Entrée standard : le code reçu par e-mail manque.")
        return line.strip()
    return str(typer.prompt("Code reçu par e-mail", hide_input=True, err=True))


@app.command()
def verify(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="Identifiant du propriétaire.")],
    code: Annotated[
        list[str] | None,
        typer.Argument(
            help="Code à 8 chiffres reçu par e-mail, espaces permis (6776 1939). Pour les "
            "scripts : sans lui, le code est demandé sans s'afficher.",
            show_default=False,
        ),
    ] = None,
    code_stdin: Annotated[
        bool,
        typer.Option("--code-stdin", help="Lire le code sur l'entrée standard (une ligne)."),
    ] = False,
) -> None:
    """Valider le code de la procédure en cours (mise à jour, mot de passe oublié ou
    changement d'adresse).

    Un changement d'adresse se termine ici ; une mise à jour ou un mot de passe oublié
    continue avec `password set`, sur ce poste et avec ce compte utilisateur. Un code
    mal formé (pas 8 chiffres) ne compte pas comme un essai.
    """
    with backoffice(ctx) as office:
        from coproctl.services.procedures.codes import verify_code

        result = verify_code(office, identifiant, typed_code(code, code_stdin))
        if result.proof is not None:  # for `password set`, on this machine, for this user
            save_proof(office.settings, result.identifiant, result.proof)
        text = NEXT_STEPS[result.next_step].format(
            identifiant=result.identifiant, email=result.email
        )
        deliver_and_emit(state(ctx).json, office, result, text)


@app.command()
def resend(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="Identifiant du propriétaire.")],
) -> None:
    """Envoyer un nouveau code pour la procédure en cours : le précédent ne vaut plus."""
    with backoffice(ctx) as office:
        from coproctl.services.procedures.codes import resend_code

        sent = resend_code(office, identifiant)
        deliver_and_emit(state(ctx).json, office, sent)
