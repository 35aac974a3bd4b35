"""The command reference (docs/cli.md), generated from the commands' own help.

    python -m coproctl.cli.reference > docs/cli.md

It walks the real command tree: the lazy root lists its groups by name and builds each one
on ``get_command``, as a user's invocation would. ``tests/cli/test_docs.py`` fails when
the file is stale or when a command has no help.
"""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import typer

HEADER = """\
# Command reference

Generated from the commands' own `--help` by `python -m coproctl.cli.reference > docs/cli.md`;
a test fails when this file is stale. Operations (cron, backups, retention): see
[operations.md](operations.md).
"""


@dataclass(frozen=True)
class Entry:
    path: tuple[str, ...]
    command: Any  # a (Typer-vendored) click Command or Group
    context: Any
    missing_module: str | None = None  # a registered group whose module is not there yet

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def is_group(self) -> bool:
        return hasattr(self.command, "list_commands")


def _missing_module(name: str) -> str | None:
    from coproctl.cli.lazy import GROUPS

    module = GROUPS.get(name, (None, ""))[0]
    if module is None:
        return None
    return module if importlib.util.find_spec(module) is None else None


def walk(command: Any = None, context: Any = None, path: tuple[str, ...] = ()) -> Iterator[Entry]:
    """Every command of the tree, depth first, in the order ``--help`` lists them."""
    if command is None:
        from coproctl.cli.app import app

        command = typer.main.get_command(app)
        path = ("coproctl",)
        context = command.context_class(command, info_name="coproctl")
    yield Entry(path, command, context)
    if not hasattr(command, "list_commands"):
        return
    for name in command.list_commands(context):
        missing = _missing_module(name) if len(path) == 1 else None
        if missing is not None:
            from coproctl.cli.lazy import GROUPS

            stub = typer.core.TyperCommand(name=name, help=GROUPS[name][1])
            yield Entry((*path, name), stub, None, missing)
            continue
        sub = command.get_command(context, name)
        if sub is None or getattr(sub, "hidden", False):
            continue
        sub_context = sub.context_class(sub, info_name=name, parent=context)
        yield from walk(sub, sub_context, (*path, name))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _params(entry: Entry) -> list[str]:
    """Arguments, then options as ``--help`` words them (defaults, ranges, env included)."""
    rows = []
    for param in entry.command.params:
        if param.param_type_name != "argument":
            continue
        name = param.metavar or (param.name or "").upper()
        optional = "" if param.required else " (optional)"
        rows.append(f"| `{name}`{optional} | {_cell(getattr(param, 'help', None) or '—')} |")
    for param in entry.command.params:
        if param.param_type_name == "argument" or getattr(param, "hidden", False):
            continue
        record = param.get_help_record(entry.context)
        if record is None or param.name == "help":
            continue
        names, help_text = record
        rows.append(f"| `{names}` | {_cell(help_text) or '—'} |")
    if not rows:
        return []
    return ["| | |", "|---|---|", *rows, ""]


def _section(entry: Entry) -> list[str]:
    level = "#" * min(len(entry.path) + 1, 4)
    lines = [f"{level} `{entry.name}`", ""]
    if entry.missing_module is not None:
        lines += [
            _cell(entry.command.help or ""),
            "",
            f"*Not in this build yet (module `{entry.missing_module}`).*",
            "",
        ]
        return lines
    help_text = inspect.cleandoc(entry.command.help or "")
    if help_text:
        lines += [help_text, ""]
    pieces = entry.command.collect_usage_pieces(entry.context)
    lines += ["```", " ".join([entry.name, *pieces]), "```", ""]
    lines += _params(entry)
    if entry.is_group:
        subcommands = entry.command.list_commands(entry.context)
        if len(entry.path) > 1 and subcommands:
            lines += [
                "Commands: " + ", ".join(f"`{name}`" for name in subcommands) + ".",
                "",
            ]
    return lines


def render() -> str:
    lines = [HEADER]
    for entry in walk():
        lines += _section(entry)
    return "\n".join(lines).rstrip() + "\n"


def commands_without_help() -> list[str]:
    return [
        entry.name
        for entry in walk()
        if entry.missing_module is None
        and not (entry.command.help or entry.command.short_help or "").strip()
    ]


if __name__ == "__main__":
    typer.echo(render(), nl=False)
