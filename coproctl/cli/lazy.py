"""A root command group whose sub-groups are imported and built only when used.

Typer builds every command of every sub-app before it can show ``coproctl --help``; with a
few dozen commands that costs more than the rest of start-up. Here each group is named in a
table (module + one-line help): the root help lists the table, and a group's module is
imported, and its commands built, only when the group is actually invoked.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

# name -> (module holding a Typer ``app``, one-line help). A module whose app has a single
# command and no callback provides a top-level command (``stats``) rather than a group.
GROUPS: dict[str, tuple[str, str]] = {}
COMMANDS: set[str] = set()


class LazyGroup(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
