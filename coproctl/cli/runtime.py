"""What every command shares: the global options, opening the back office, reading secrets."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from coproctl.cli.output import fail
from coproctl.errors import BadInput, CoproctlError

if TYPE_CHECKING:
    from coproctl.backoffice import Backoffice


@dataclass
class CliState:
    db: str | None = None
    json: bool = False
    actor: str = ""
    config: Path | None = None


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "inconnu"


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState(actor=os_user())
    return root.obj


def _unexpected(exc: Exception) -> CoproctlError | None:
    """A database error no service expected, or an argument that is not text, as one line
    (exit 2); None for anything else.

    SQLAlchemy is looked up, not imported: a command that never opened a database has none.
    Bytes of the command line that are not UTF-8 reach Python as lone surrogates, which no
    database driver can encode.
    """
    database_errors = sys.modules.get("sqlalchemy.exc")
    if database_errors is not None and isinstance(exc, database_errors.SQLAlchemyError):
        from coproctl.db import database_error

        return database_error(exc)
    if isinstance(exc, UnicodeEncodeError) and "surrogates" in exc.reason:
        return BadInput(
            "bad_encoding",
            "Saisie illisible : un argument contient des octets qui ne sont pas du texte "
            "UTF-8 (réglez le terminal en UTF-8).",
        )
    return None


@contextmanager
def errors_handled(ctx: typer.Context) -> Iterator[CliState]:
    """Turn a service error into its message and exit status (never a traceback)."""
    st = state(ctx)
    try:
        yield st
    except CoproctlError as error:
        fail(st.json, error)
    except Exception as exc:
        error = _unexpected(exc)
        if error is None:
            raise
        fail(st.json, error)


@contextmanager
def backoffice(ctx: typer.Context) -> Iterator[Backoffice]:
    """The back office for this command, on a checked database; errors rendered."""
    with errors_handled(ctx) as st:
        from coproctl.config import load_settings
        from coproctl.services.office import open_backoffice

        settings = load_settings(st.config, database_url=st.db)
        with open_backoffice(settings, st.actor) as office:
            yield office


class SecretReader:
    """Secrets from hidden prompts, or one per line on standard input (``--password-stdin``)."""

    def __init__(self, from_stdin: bool) -> None:
        self.from_stdin = from_stdin

    def read(self, label: str) -> str:
        if self.from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise BadInput(
                    "missing_secret",
                    f"Entrée standard : il manque « {label} » (un secret par ligne, dans l'ordre "
                    "indiqué par --help).",
                )
            return line.rstrip("\r\n")
        return typer.prompt(label, hide_input=True, prompt_suffix="\u00a0: ")


PASSWORD_STDIN_HELP = (
    "Lire les secrets sur l'entrée standard, un par ligne, dans l'ordre indiqué plus haut."  # noqa: S105 (help text, not a password)
)
