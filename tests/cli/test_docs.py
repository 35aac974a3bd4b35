"""Done-when 5: docs/cli.md is what the commands' help generates, every command has help,
and what docs/operations.md tells operators to run exists and works.
"""

from __future__ import annotations

import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.cli.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
CLI_MD = ROOT / "docs" / "cli.md"
OPERATIONS_MD = ROOT / "docs" / "operations.md"
GLOBAL_WITH_VALUE = {"--db", "--actor", "--config"}


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


def _documented_invocations() -> list[list[str]]:
    """Every ``coproctl ...`` command line in the code of operations.md, as words."""
    text = OPERATIONS_MD.read_text(encoding="utf-8")
    code = re.findall(r"```\w*\n(.*?)```", text, re.DOTALL)
    code += re.findall(r"`([^`\n]+)`", re.sub(r"```\w*\n.*?```", "", text, flags=re.DOTALL))
    invocations = []
    for snippet in code:
        for line in snippet.splitlines():
            # at the start of the code, after a cron schedule, or in ExecStart=.../bin/
            found = re.search(r"(?:^|\*\s+|/bin/)(coproctl(?: [^\s`&;|]+)+)", line.strip())
            if found:
                invocations.append(shlex.split(found.group(1)))
    return invocations


def test_operations_commands_and_options_exist() -> None:
    from coproctl.cli.reference import walk

    tree = {entry.path: entry for entry in walk()}
    global_options = {opt for param in tree[("coproctl",)].command.params for opt in param.opts}
    checked = 0
    for words in _documented_invocations():
        path = ["coproctl"]
        rest = [word for word in words[1:] if word != "..."]  # "..." elides the rest
        while rest and rest[0].startswith("-") and len(path) == 1:  # global options
            option = rest.pop(0)
            if option in GLOBAL_WITH_VALUE and rest:
                rest.pop(0)
            else:
                assert option in global_options, f"{' '.join(words)}: no global option {option}"
        while rest and (*path, rest[0]) in tree:
            path.append(rest.pop(0))
        entry = tree[tuple(path)]
        if entry.missing_module is not None:
            continue  # a group not in this build yet: checked once it is
        assert len(path) > 1 or not rest, f"{' '.join(words)}: no such command"
        known = {opt for param in entry.command.params for opt in param.opts}
        for word in rest:
            if word.startswith("-"):
                assert word in known, f"{' '.join(words)}: {word} is not an option of it"
        checked += 1
    assert checked >= 10


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
