"""Rendering: ``--json`` on standard output, or text/tables for staff; errors in one place."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

import typer

from coproctl.errors import CoproctlError


def _default(value: Any) -> Any:
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        return as_dict()
    if hasattr(value, "isoformat"):
        from coproctl.clock import paris_iso

        return paris_iso(value)
    raise TypeError(f"cannot render {type(value).__name__}")


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def emit(json_mode: bool, data: Any, human: str | Callable[[], None]) -> None:
    """Print the result: ``data`` as JSON, or the human rendering."""
    if json_mode:
        typer.echo(to_json(data))
    elif callable(human):
        human()
    else:
        typer.echo(human)


def fail(json_mode: bool, error: CoproctlError) -> NoReturn:
    if json_mode:
        typer.echo(to_json({"error": error.as_dict()}))
    else:
        typer.echo(f"Erreur ({error.code}) : {error.message}", err=True)
        if error.hint:
            typer.echo(error.hint, err=True)
    raise typer.Exit(error.exit_code)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    grid = Table(title=title, show_lines=False)
    for column in columns:
        grid.add_column(column)
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    Console(file=sys.stdout).print(grid)


def fields(pairs: Iterable[tuple[str, Any]]) -> None:
    """Label: value lines, aligned."""
    items = [(label, "" if value is None else str(value)) for label, value in pairs]
    width = max((len(label) for label, _ in items), default=0)
    for label, value in items:
        typer.echo(f"{label.ljust(width)} : {value}")
