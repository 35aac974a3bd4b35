"""The ``coproctl`` Typer app: global options, and the command groups joined together."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coproctl.cli import owner_login, setup
from coproctl.cli.lazy import COMMANDS, GROUPS, LazyGroup
from coproctl.cli.runtime import CliState, os_user

GROUPS.update(
    {
        "update": (
            "coproctl.cli.update",
            "Procédure de mise à jour d'un compte en attente (première connexion).",
        ),
        "code": ("coproctl.cli.codes", "Codes de vérification de la procédure en cours."),
        "password": (
            "coproctl.cli.passwords",
            "Choisir un mot de passe, le réinitialiser (oubli) ou le changer.",
        ),
        "email": ("coproctl.cli.emails", "L'adresse e-mail de contact d'un compte actif."),
        "account": (
            "coproctl.cli.accounts",
            "Personnel : créer, consulter et gérer les comptes.",
        ),
        "audit": ("coproctl.cli.audit", "Le journal d'audit : consulter, purger."),
        "import": (
            "coproctl.cli.imports",
            "Importer l'export des appels de fonds, ou les comptes de l'ancien extranet.",
        ),
        "config": ("coproctl.cli.config", "Réglages en vigueur, et d'où ils viennent."),
        "mail": (
            "coproctl.cli.mail",
            "E-mails sortants : envoyer et réessayer la file, lister, purger.",
        ),
        "codes": (
            "coproctl.cli.codes_admin",
            "Tâche planifiée : purger les codes expirés, utilisés ou remplacés.",
        ),
        "owner": (
            "coproctl.cli.owners",
            "Propriétaires : consulter, exporter (droit d'accès), effacer.",
        ),
        "stats": (
            "coproctl.cli.stats",
            "Avancement de la migration : comptes par statut, procédures, e-mails.",
        ),
    }
)
COMMANDS.add("stats")
GROUPS["serve"] = ("coproctl.cli.serve", "Servir les pages des copropriétaires (web).")
COMMANDS.add("serve")

app = typer.Typer(
    name="coproctl",
    cls=LazyGroup,
    help=(
        "Back-office des comptes du syndic : comptes des copropriétaires, procédures de "
        "première connexion, de mot de passe oublié et de paramètres, codes, e-mails et audit."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=True,
)


def _show_version(value: bool) -> None:
    if value:
        from coproctl import __version__

        typer.echo(f"coproctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help="Adresse de la base de données (variable COPROCTL_DATABASE_URL). "
            "Par défaut : SQLite dans le dossier de l'application.",
        ),
    ] = None,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Sortie pour les scripts (JSON) sur la sortie standard, erreurs comprises "
            '({"error": ...}). Accepté n\'importe où sur la ligne.',
        ),
    ] = False,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            envvar="COPROCTL_ACTOR",
            show_envvar=False,
            metavar="NOM",
            help="Qui agit, pour le journal d'audit (variable COPROCTL_ACTOR). "
            "Par défaut : l'utilisateur du système.",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="COPROCTL_CONFIG",
            show_envvar=False,
            metavar="FICHIER",
            help="Fichier de réglages TOML (variable COPROCTL_CONFIG).",
            dir_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_show_version,
            help="Afficher la version de coproctl et quitter.",
        ),
    ] = False,
) -> None:
    """Back-office des comptes du syndic."""
    ctx.obj = CliState(db=db, json=json_output, actor=actor or os_user(), config=config)


setup.register(app)
owner_login.register(app)


def main() -> None:
    app(prog_name="coproctl")
