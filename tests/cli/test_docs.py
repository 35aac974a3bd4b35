"""Done-when 5: docs/cli.md is what the commands' help generates, every command has help,
and every command line the README and docs/ show parses against the real command tree
(options and their values included), and the scripts of docs/operations.md work.
"""

from __future__ import annotations

import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
CLI_MD = ROOT / "docs" / "cli.md"
OPERATIONS_MD = ROOT / "docs" / "operations.md"


def test_cli_reference_is_up_to_date() -> None:
    from coproctl.cli.reference import render

    assert CLI_MD.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m coproctl.cli.reference > docs/cli.md`"
    )


def test_every_command_has_help() -> None:
    from coproctl.cli.reference import commands_without_help

    assert commands_without_help() == []


def _tested_block(name: str) -> str:
    text = OPERATIONS_MD.read_text(encoding="utf-8")
    found = re.search(rf"<!-- tested: {name} -->\n```\w+\n(.*?)\n```", text, re.DOTALL)
    assert found, f"no tested block {name!r} in docs/operations.md"
    return found.group(1) + "\n"


# a coproctl command at the start of a code line, after a cron schedule, or in ExecStart=
_COMMAND_LINE = re.compile(
    r"(?:^(?:\$\s+)?|^(?:@\w+|(?:[\d*/,-]+\s+){4}[\d*/,-]+)\s+|/bin/)coproctl(?=\s|$)(.*)$"
)
_PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9_]*")  # DAYS, REF, URL: a value to type, not a typo


def _code_spans(text: str) -> list[str]:
    """Inline code of the prose and tables (fenced blocks removed), one span each."""
    prose = re.sub(r"```\w*\n.*?```", "", text, flags=re.DOTALL)
    spans = re.findall(r"`([^`]+)`", prose)
    return [re.sub(r"\|\s+", "|", span.replace("\\|", "|")) for span in spans]


def _table_invocations(text: str) -> list[str]:
    """Rows of a table whose column header is a command prefix ending in ``...``: the
    prefix completed by each row's cell (``coproctl --actor cron ...`` + ``mail send``)."""
    found = []
    for table in re.findall(r"(?:^\|.*\|\n)+", text, flags=re.MULTILINE):
        lines = table.splitlines()
        header = [cell.strip() for cell in lines[0].strip("|").split("|")]
        for column, cell in enumerate(header):
            prefix = re.fullmatch(r"`[^`]*\bcoproctl( [^`]*)? \.\.\.`", cell)
            if prefix is None:
                continue
            for row in lines[2:]:
                cells = [c.strip() for c in row.strip("|").split("|")]
                value = re.fullmatch(r"`([^`]+)`", cells[column]) if column < len(cells) else None
                if value:
                    found.append(f"coproctl{prefix.group(1) or ''} {value.group(1)}")
    return found


def documented_invocations(path: Path, top_level: set[str]) -> list[str]:
    """Every ``coproctl ...`` command line of a Markdown file: in code blocks, inline code
    (also without the ``coproctl`` prefix when it starts with a top-level command, as
    ``audit purge --older-than DAYS``), and tables of command suffixes."""
    text = path.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```\w*\n(.*?)```", text, re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            found = _COMMAND_LINE.search(line.strip())
            if found:
                lines.append("coproctl" + found.group(1))
    for span in _code_spans(text):
        words = span.split()
        if words[0] == "coproctl" or (words[0] in top_level and not span.startswith("-")):
            lines.append(span if words[0] == "coproctl" else f"coproctl {span}")
    return lines + _table_invocations(text)


def _alternatives(words: list[str]) -> list[list[str]]:
    """``account list|show ID`` -> ``account list ID`` and ``account show ID``."""
    for index, word in enumerate(words):
        if "|" in word and not word.startswith("-"):
            return [
                variant
                for choice in word.split("|")
                if choice
                for variant in _alternatives([*words[:index], choice, *words[index + 1 :]])
            ]
    return [words]


def _checkable(param: Any) -> bool:
    """Values checked as the command would convert them: numbers, dates, choices (not paths,
    whose conversion looks at this machine's files, nor flags, which take no value)."""
    from datetime import datetime

    kind = param.type_descriptor
    return kind.annotation in (int, float, datetime) or bool(kind.is_choice)


def check_invocation(words: list[str]) -> str | None:
    """Parse ``words`` (after ``coproctl``) against the real command tree, as Click would,
    group by group (lazy groups are built on the way): unknown commands and options, an
    option missing its value, a value of the wrong type, extra arguments. A line may stop
    early (a group named alone, ``...``, missing arguments): only what it says is checked.
    Placeholders in capitals (``DAYS``) stand for any value. None when it parses."""
    import typer
    from typer._click import exceptions as ce

    from coproctl.cli import lazy
    from coproctl.cli.app import app

    pull_json = getattr(lazy, "pull_json", None)  # --json accepted anywhere, where it is
    if pull_json is not None:
        words = pull_json(words)[1] if "--json" in words else words
    if "..." in words:
        words = words[: words.index("...")]
    command = typer.main.get_command(app)
    ctx = command.context_class(command, info_name="coproctl")
    try:
        while True:
            opts, rest, _ = command.make_parser(ctx).parse_args(args=list(words))
            for param in command.get_params(ctx):
                value = opts.get(param.name)
                if param.param_type_name != "option" or value is None:
                    continue
                if _PLACEHOLDER.fullmatch(str(value)) or not _checkable(param):
                    continue
                param.get_runtime_param().coerce(value, param=param, ctx=ctx)  # BadParameter
            if not hasattr(command, "list_commands"):
                if rest:
                    return f"unexpected extra argument(s): {' '.join(rest)}"
                return None
            if not rest:
                return None  # a group named alone
            name, command, words = command.resolve_command(ctx, rest)
            ctx = command.context_class(command, info_name=name, parent=ctx)
    except ce.UsageError as error:  # NoSuchOption, BadParameter, unknown command...
        return error.format_message()
    except ModuleNotFoundError as error:  # a group registered before its module exists
        return f"cannot be built: {error}"


def _top_level() -> set[str]:
    import typer

    from coproctl.cli.app import app

    root = typer.main.get_command(app)
    return set(root.list_commands(root.context_class(root, info_name="coproctl")))


DOCUMENTED = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md") if p != CLI_MD)]


@pytest.mark.parametrize("path", DOCUMENTED, ids=lambda path: path.name)
def test_documented_commands_and_options_exist(path: Path) -> None:
    """Every command line of the README and docs/ (but the generated cli.md) parses against
    the real command tree."""
    invocations = documented_invocations(path, _top_level())
    problems = []
    for line in invocations:
        for words in _alternatives(shlex.split(line, comments=True)[1:]):
            problem = check_invocation(words)
            if problem:
                problems.append(f"{line}\n    -> {problem}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
    if path == OPERATIONS_MD:
        assert len(invocations) >= 20  # the cron lines, the units, the prose


@pytest.mark.parametrize(
    "line",
    [
        "coproctl owner erse REF",  # a misspelt sub-command
        "coproctl audit lst --limit 5",
        "coproctl audti list",  # a misspelt group
        "coproctl audit list --limt 5",  # a misspelt option
        "coproctl audit list --limit cinq",  # a value of the wrong type
        "coproctl audit purge --older-than",  # an option without its value
        "coproctl --actr cron codes purge",  # a misspelt global option
        "coproctl codes purge --quiet now",  # an extra argument
        "coproctl mail send --quiet --grace 2h",  # another command's option
    ],
)
def test_a_misspelt_documented_line_is_caught(line: str) -> None:
    assert check_invocation(shlex.split(line)[1:]) is not None


def test_what_a_documentation_line_may_leave_out_parses() -> None:
    for line in (
        "coproctl --actor cron mail send --quiet --limit 500",
        "coproctl --actor cron ...",
        "coproctl owner",
        "coproctl owner export REF -o export-REF.json",
        "coproctl audit purge --older-than DAYS",
        "coproctl --db postgresql://coproctl@dbhost/coproctl init",
    ):
        assert check_invocation(shlex.split(line)[1:]) is None, line
    assert _alternatives(["account", "list|show", "ID"]) == [
        ["account", "list", "ID"],
        ["account", "show", "ID"],
    ]


def test_cron_jobs_documented(cli: Cli) -> None:
    text = OPERATIONS_MD.read_text(encoding="utf-8")
    for job in ("mail send", "codes purge", "mail purge", "audit purge"):
        assert f"coproctl --actor cron {job}" in text
    for option in ("--quiet", "--limit", "--older-than", "--grace", "--install-completion"):
        assert option in text


def test_documented_backup_script(tmp_path: Path) -> None:
    from coproctl import schema
    from coproctl.db import make_engine

    database = tmp_path / "coproctl.db"
    engine = make_engine(f"sqlite:///{database}")
    schema.upgrade(engine)
    engine.dispose()
    script = _tested_block("backup")
    script = re.sub(r"^DB=.*$", f"DB={database}", script, flags=re.MULTILINE)
    script = re.sub(r"^DEST=.*$", f"DEST={tmp_path / 'backups'}", script, flags=re.MULTILINE)
    done = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    (backup,) = (tmp_path / "backups").glob("coproctl-*.db")
    assert backup.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() is not None


def test_documented_copy_to_another_database(
    cli: Cli, db_url: str, tmp_path: Path, mail_dir: Any
) -> None:
    """SQLite -> the test's database (PostgreSQL, or another SQLite file)."""
    source = f"sqlite:///{tmp_path / 'source.db'}"
    assert cli("--db", source, "init").exit_code == 0
    for identifiant in ("MOV001", "MOV002"):
        run = cli(
            "--db",
            source,
            "account",
            "create",
            identifiant,
            "--owner-ref",
            "M0001",
            "--last-name",
            "Déménagé",
            "--lot",
            "7",
            "--password-stdin",
            input="Initial-Mv0001\n",
        )
        assert run.exit_code == 0, run.output
    start = ["update", "start", "MOV001", "--email", "mov@example.com", "--confirm-email"]
    run = cli(
        "--db", source, *start, "mov@example.com", "--password-stdin", input="Initial-Mv0001\n"
    )
    assert run.exit_code == 0, run.output

    script = tmp_path / "copy_to_postgres.py"
    script.write_text(_tested_block("copy"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), source, db_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    before = cli.json("--db", source, "stats").data
    after = cli.json("stats").data
    before.pop("at")
    after.pop("at")
    assert after == before
    shown = cli.json("account", "show", "mov001").data
    assert shown["lots"] == ["7"]
    assert shown["procedure"]["to"] == "mov@example.com"
    # the code sent before the move still verifies after it (same secret key)
    assert cli("code", "verify", "MOV001", cli.code("mov@example.com")).exit_code == 0
    # new rows get new ids after the copied ones
    create = ["account", "create", "MOV003", "--owner-ref", "M0002", "--last-name", "Neuf"]
    assert cli(*create, "--generate-password").exit_code == 0
    # and copying again into a database that has rows is refused
    again = subprocess.run(
        [sys.executable, str(script), source, db_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode != 0
    assert "not empty" in again.stderr


def test_completion_is_offered() -> None:
    from coproctl.cli.reference import walk

    root = next(iter(walk()))
    options = {opt for param in root.command.params for opt in param.opts}
    assert {"--install-completion", "--show-completion"} <= options
