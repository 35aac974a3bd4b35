"""Rendering: ``--json`` on standard output, CSV, or text and tables for staff; errors in
one place.

Tables never cut a value. Off a terminal (piped, redirected to a file) every record is one
line, whatever its length, so a saved audit trail is whole and grep finds every action. On a
terminal cells wrap at spaces to fit the width, never inside a word (``update.start`` stays
whole); when even the longest words cannot fit side by side, each record is printed as
``label : value`` lines instead.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, NoReturn

import typer

from coproctl.errors import CoproctlError
from coproctl.typography import NBSP

GAP = "  "


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
        typer.echo(f"Erreur ({error.code}){NBSP}: {error.message}", err=True)
        if error.hint:
            typer.echo(error.hint, err=True)
    raise typer.Exit(error.exit_code)


# --- tables ------------------------------------------------------------------------------
def on_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def terminal_width() -> int:
    return max(20, shutil.get_terminal_size((100, 24)).columns)


_BLANKS = re.compile(r"[ \t\r\n\f\v]+")  # not the no-break space: it binds


def _cell(value: Any) -> str:
    return "" if value is None else _BLANKS.sub(" ", str(value)).strip()


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split(" ")), default=0)


def unbroken(text: str) -> str:
    """``text`` that never wraps (a date and its time: ``02/12/2026 à 14:53``)."""
    return text.replace(" ", NBSP)


def when(moment: Any) -> str:
    """A moment in Paris time that stays on one line: ``02/12/2026 à 14:53``."""
    from coproctl.clock import paris_text

    return unbroken(paris_text(moment))


def _wrap(text: str, width: int) -> list[str]:
    # never inside a word, never at a hyphen: an over-long word keeps its own line whole
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def _widths(
    columns: Sequence[str], rows: list[list[str]], total: int, gap: str = GAP
) -> list[int] | None:
    """Column widths that fit ``total`` without splitting a word; None when none do."""
    natural = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    minimum = [
        max(_longest_word(c), *(_longest_word(r[i]) for r in rows)) for i, c in enumerate(columns)
    ]
    room = total - len(gap) * (len(columns) - 1)
    if sum(natural) <= room:
        return natural
    if sum(minimum) > room:
        return None
    widths = list(minimum)
    spare = room - sum(minimum)
    wanted = [n - m for n, m in zip(natural, minimum, strict=True)]
    # the columns that need little to fit on one line first (a date, a name), then the rest
    for i in sorted(range(len(wanted)), key=lambda i: wanted[i]):
        if 0 < wanted[i] <= spare and wanted[i] <= room // 4:
            widths[i] += wanted[i]
            spare -= wanted[i]
            wanted[i] = 0
    while spare > 0 and any(wanted):
        share = sum(wanted)
        for i, want in enumerate(wanted):
            if not want:
                continue
            extra = min(want, max(1, spare * want // share), spare)
            widths[i] += extra
            wanted[i] -= extra
            spare -= extra
            if not spare:
                break
    return widths


def table_lines(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    width: int | None = None,
) -> list[str]:
    """The table as lines; ``width`` None means no limit (one line per record)."""
    cells = [[_cell(value) for value in row] for row in rows]
    if not cells:
        return []
    gap = GAP
    if width is None:
        widths: list[int] | None = [
            max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)
        ]
    else:
        widths = _widths(columns, cells, width)
        if widths is None:  # narrower gaps before giving up the columns
            gap = " "
            widths = _widths(columns, cells, width, gap)
    if widths is None:
        return _record_lines(columns, cells, width or 80)
    lines = []
    header = gap.join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()
    lines.append(header)
    lines.append(gap.join("─" * w for w in widths))
    for row in cells:
        wrapped = [
            _wrap(text, w) if width is not None else [text]
            for text, w in zip(row, widths, strict=True)
        ]
        height = max(len(parts) for parts in wrapped)
        for n in range(height):
            parts = [p[n] if n < len(p) else "" for p in wrapped]
            lines.append(gap.join(t.ljust(w) for t, w in zip(parts, widths, strict=True)).rstrip())
    return lines


def _record_lines(columns: Sequence[str], rows: list[list[str]], width: int) -> list[str]:
    """One block of ``label : value`` lines per record (a terminal too narrow for columns)."""
    label_width = max(len(c) for c in columns)
    indent = " " * (label_width + 3)
    lines: list[str] = []
    for row in rows:
        if lines:
            lines.append("")
        for column, text in zip(columns, row, strict=True):
            if not text:
                continue
            parts = _wrap(text, max(10, width - len(indent)))
            lines.append(f"{column.ljust(label_width)}{NBSP}: {parts[0]}")
            lines += [indent + part for part in parts[1:]]
    return lines


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A table: wrapped to the terminal's width, or whole records off a terminal."""
    width = terminal_width() if on_terminal() else None
    lines = table_lines(columns, list(rows), width=width)
    if title:
        typer.echo(title)
    for line in lines:
        typer.echo(line)


def fields(pairs: Iterable[tuple[str, Any]]) -> None:
    """``Label : value`` lines, aligned; long values wrap at spaces on a terminal."""
    items = [(label, "" if value is None else str(value)) for label, value in pairs]
    width = max((len(label) for label, _ in items), default=0)
    room = terminal_width() - width - 3 if on_terminal() else None
    for label, value in items:
        parts = _wrap(value, max(20, room)) if room is not None and value else [value]
        typer.echo(f"{label.ljust(width)}{NBSP}: {parts[0]}".rstrip())
        for part in parts[1:]:
            typer.echo(" " * (width + 3) + part)


# --- CSV ---------------------------------------------------------------------------------
def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """CSV for French Excel on standard output: ``;``, UTF-8 with BOM, formulas neutralised."""
    from coproctl.csv_safety import neutralise  # one rule for every CSV the tool writes

    out = sys.stdout
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(_csv_cell(value)) for value in row])
    out.flush()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


# --- lists: limit, offset, --all, and saying when a list is cut --------------------------
Limit = Annotated[
    int | None,
    typer.Option(
        "--limit",
        min=0,
        metavar="N",
        help="Au plus N lignes ; 0 : aucune limite. Par défaut : 200 à l'écran (100 pour "
        "l'audit), toutes en --json et --csv.",
    ),
]
Offset = Annotated[
    int, typer.Option("--offset", min=0, metavar="N", help="Sauter les N premières lignes.")
]
All = Annotated[bool, typer.Option("--all", help="Toutes les lignes (comme --limit 0).")]
Csv = Annotated[
    bool,
    typer.Option(
        "--csv",
        help="Sortie CSV (séparateur « ; », UTF-8 avec BOM, pour Excel), toutes les lignes "
        "sauf --limit.",
    ),
]


def effective_limit(limit: int | None, all_rows: bool, *, whole: bool, default: int) -> int | None:
    """The number of rows to fetch: None for all.

    ``whole`` (``--json`` or ``--csv``): a script or a file gets every row unless it asked
    for fewer; staff at the screen get ``default`` rows and are told what was left out.
    """
    if all_rows or limit == 0:
        return None
    if limit is not None:
        return limit
    return None if whole else default


def cut_notice(shown: int, offset: int, total: int) -> str | None:
    """``200 sur 421 — --limit/--all`` when rows were left out, else None."""
    if offset == 0 and shown >= total:
        return None
    first = offset + 1 if shown else offset
    return (
        f"Lignes {first} à {offset + shown} sur {total} — les autres{NBSP}: "
        f"--offset {offset + shown}, --limit N ou --all."
    )


# --- audit details, confirmations --------------------------------------------------------
def _detail_value(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (list, tuple, set)):
        return ",".join(_detail_value(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k}:{_detail_value(v)}" for k, v in value.items())
    text = " ".join(str(value).split())
    return f'"{text}"' if " " in text else text


def details_text(details: dict[str, Any]) -> str:
    """An audit event's details as ``clé=valeur`` words (no Python repr): lists joined by
    commas, yes/no as ``oui``/``non``, a value with spaces in double quotes."""
    return " ".join(
        f"{key}={_detail_value(value)}" for key, value in details.items() if value is not None
    )


YES = frozenset({"oui", "o", "yes", "y"})


def confirm(question: str, *, yes: bool, cancelled: str = "Action annulée") -> None:
    """Ask staff to type « oui » (on stderr, so ``--json`` output stays clean); anything
    else, or no answer at all (a script without ``--yes``), cancels with exit 1."""
    if yes:
        return
    from coproctl.errors import Refused

    try:
        answer = typer.prompt(
            f"{question}\nTapez « oui » pour confirmer",
            default="non",
            show_default=False,
            err=True,
            prompt_suffix=f"{NBSP}: ",
        )
    except typer.Abort as abort:
        if isinstance(abort.__context__, KeyboardInterrupt):
            raise
        answer = ""  # end of input: no answer is no
    if answer.strip().lower() not in YES:
        raise Refused(
            "cancelled",
            f"{cancelled}{NBSP}: rien n'a été modifié.",
            hint="Pour un script : ajoutez --yes (confirmation donnée d'avance).",
        )
