"""A root command group whose sub-groups are imported and built only when used; and the one
place where usage errors, ``--json`` anywhere on the line and Ctrl-C are handled.

Typer builds every command of every sub-app before it can show ``coproctl --help``; with a
few dozen commands that costs more than the rest of start-up. Here each group is named in a
table (module + one-line help): the root help lists the table, and a group's module is
imported, and its commands built, only when the group is actually invoked.

Usage errors are worded in French (``cli.french``), suggest the command meant at every level
and across groups (``code purge`` -> ``codes purge``), and under ``--json`` come as
``{"error": ...}`` on standard output, exit 2.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from difflib import get_close_matches
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from coproctl.cli import french

# name -> (module holding a Typer ``app``, one-line help). A module whose app has a single
# command and no callback provides a top-level command (``stats``) rather than a group.
GROUPS: dict[str, tuple[str, str]] = {}
COMMANDS: set[str] = set()

EXIT_INTERRUPTED = 130  # as a shell reports a process ended by Ctrl-C (128 + SIGINT)


def pull_json(args: list[str]) -> tuple[bool, list[str]]:
    """``--json`` is accepted anywhere before ``--``: moved to the front, where it belongs."""
    cut = args.index("--") if "--" in args else len(args)
    head = [arg for arg in args[:cut] if arg != "--json"]
    if len(head) == cut:
        return False, args
    return True, ["--json", *head, *args[cut:]]


def _close(word: str, names: Sequence[str]) -> list[str]:
    return get_close_matches(word, list(names), n=3, cutoff=0.6)


class SuggestingGroup(TyperGroup):
    """A group whose unknown-command error names the command probably meant, here or in
    another group (``password reset`` -> ``account reset``); named alone under ``--json``,
    it answers a usage error (``{"error": ...}``), not its help."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        alone = not args and self.no_args_is_help and not ctx.resilient_parsing
        if alone and ctx.find_root().params.get("json_output"):
            from typer._click import exceptions as ce

            raise ce.UsageError(french.MISSING_COMMAND, ctx=ctx)
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        from typer._click import exceptions as ce

        try:
            return self._click_resolve_command(ctx, args)
        except ce.UsageError as error:
            if args and not args[0].startswith("-"):
                meant = suggestions(ctx, args[0])
                if meant:
                    listed = ", ".join(f"« {name} »" for name in meant)
                    error.message = f"{error.message} Vouliez-vous dire {listed}{french.NBSP}?"
            raise


def _tree(root: LazyGroup, ctx: Any) -> dict[str, list[str]]:
    """Every group of the root and its commands (builds the groups: an error path only)."""
    tree: dict[str, list[str]] = {}
    for name in root.list_commands(ctx):
        try:
            command = root.get_command(ctx, name)
        except Exception:  # noqa: S112 (a group that cannot load suggests nothing)
            continue
        if isinstance(command, TyperGroup):
            tree[name] = list(command.list_commands(ctx))
        else:
            tree[name] = []
    return tree


def suggestions(ctx: Any, typed: str) -> list[str]:
    """Commands meant by ``typed`` in the group of ``ctx``: a close name in the group, else
    the same (or a close) command in another group, named in full (``codes purge``)."""
    root_ctx = ctx.find_root()
    root = root_ctx.command
    if not isinstance(root, LazyGroup):
        return []
    tree = _tree(root, root_ctx)
    path = []
    walker = ctx
    while walker.parent is not None:
        path.append(walker.info_name)
        walker = walker.parent
    path.reverse()
    found: list[str] = []
    if not path:  # top level: a group or command misspelt, or a sub-command typed alone
        found += [f"coproctl {name}" for name in _close(typed, list(tree))]
        found += [f"coproctl {g} {typed}" for g, subs in tree.items() if typed in subs]
        return found[:5]
    group = path[0]
    here = tree.get(group, [])
    found += [f"coproctl {group} {name}" for name in _close(typed, here)]
    elsewhere = [g for g, subs in tree.items() if g != group and typed in subs]
    elsewhere.sort(key=lambda g: -len(_close(group, [g])))  # code -> codes first
    found += [f"coproctl {g} {typed}" for g in elsewhere]
    if not found:
        found += [
            f"coproctl {g} {name}"
            for g, subs in tree.items()
            if g != group
            for name in _close(typed, subs)
        ]
    return found[:5]


def _error_code(error: Any) -> str:
    from typer._click import exceptions as ce

    if isinstance(error, ce.NoSuchOption):
        return "unknown_option"
    if isinstance(error, ce.MissingParameter):
        return "missing_parameter"
    if isinstance(error, ce.BadParameter):
        return "bad_value"
    if isinstance(error, ce.UsageError):
        message = getattr(error, "message", "")
        if message.startswith("Commande inconnue"):
            return "unknown_command"
        if message.startswith("Argument(s) en trop") or "extra argument" in message:
            return "extra_argument"
        return "usage"
    return "bad_input"


def report_error(error: Any, json_mode: bool) -> int:
    """Print a Click error in French (``{"error": ...}`` on stdout under ``--json``)."""
    from coproctl.cli.output import to_json

    message = french.usage_message(error)
    ctx = getattr(error, "ctx", None)
    hint = None
    if ctx is not None:
        hint = f"Aide{french.NBSP}: {ctx.command_path} --help"
    if json_mode:
        body: dict[str, Any] = {"code": _error_code(error), "message": message}
        if hint:
            body["hint"] = hint
        typer.echo(to_json({"error": body}))
    else:
        if ctx is not None:
            typer.echo(ctx.get_usage(), err=True)
        typer.echo(f"Erreur ({_error_code(error)}){french.NBSP}: {message}", err=True)
        if hint:
            typer.echo(hint, err=True)
    return int(getattr(error, "exit_code", 2))


class _FrenchParams(list[Any]):
    """The root's parameters: Typer appends ``--install-completion`` and
    ``--show-completion`` after building the group; their help is put in French then."""

    def append(self, param: Any) -> None:
        super().append(param)
        french.french_completion_options([param])


class LazyGroup(SuggestingGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        french.install()
        super().__init__(*args, **kwargs)
        self.params = _FrenchParams(self.params)
        self._built: dict[str, Any] = {}
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in GROUPS if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in GROUPS:
            return command
        module_name, help_text = GROUPS[cmd_name]
        if self._listing:
            return TyperCommand(name=cmd_name, help=help_text)
        if cmd_name not in self._built:
            module = importlib.import_module(module_name)
            if cmd_name in COMMANDS:
                group = typer.main.get_command(module.app)
            else:
                group = typer.main.get_group(module.app)
                if type(group) is TyperGroup:
                    group.__class__ = SuggestingGroup
            group.name = cmd_name
            group.help = group.help or help_text
            self._built[cmd_name] = group
        return self._built[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; errors and interruptions worded here, in French."""
        from typer._click import exceptions as ce

        words = list(sys.argv[1:] if args is None else args)
        json_mode, words = pull_json(words)
        try:
            result = super().main(words, prog_name, complete_var, standalone_mode=False, **extra)
        except ce.NoArgsIsHelpError as error:
            if error.message.strip():  # without Rich the help is the message
                typer.echo(error.message, err=True)
            result = error.exit_code
        except ce.ClickException as error:
            result = report_error(error, json_mode)
        except typer.Abort as abort:
            interrupted = isinstance(abort.__context__, KeyboardInterrupt)
            if interrupted:
                typer.echo("\nInterrompu (Ctrl-C).", err=True)
                result = EXIT_INTERRUPTED
            else:
                typer.echo(f"Abandon{french.NBSP}: aucune réponse (fin de l'entrée).", err=True)
                result = 1
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)
