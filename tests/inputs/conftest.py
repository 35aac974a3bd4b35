"""Helpers of the inputs tests: both engines in one test, the real command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli
from tests.conftest import POSTGRES_URL, SECRET, _pg_schema_url


@dataclass
class Done:
    """What a command printed and how it ended."""

    args: list[str | bytes]
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def both_engines(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh SQLite file and, when the server is there, a PostgreSQL schema, by name.

    For tests that compare the two engines' answers; without PostgreSQL only SQLite runs
    (and the comparison is skipped by the test itself).
    """
    urls = {"sqlite": f"sqlite:///{tmp_path / 'both.db'}"}
    if not POSTGRES_URL:
        yield urls
        return
    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(_pg_schema_url(POSTGRES_URL, "public"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    urls["postgresql"] = _pg_schema_url(POSTGRES_URL, schema)
    try:
        yield urls
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def command_env(home: Path, db_url: str, **extra: str) -> dict[str, str]:
    """The environment of a coproctl subprocess: its own folder, database and key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPROCTL_")}
    env.update(
        {
            "COPROCTL_HOME": str(home),
            "COPROCTL_DATABASE_URL": db_url,
            "COPROCTL_SECRET_KEY": SECRET,
            "COPROCTL_MAIL_TRANSPORT": f"file:{home / 'mail'}",
            "COPROCTL_ENUMERATION_FLOOR_MS": "0",
            "COPROCTL_ACTOR": "test-staff",
            "PYTHONIOENCODING": "utf-8",
        }
    )
    env.update(extra)
    return env


def run_coproctl(
    args: list[str | bytes], env: dict[str, str], *, stdin: bytes = b"", cwd: Path | None = None
) -> Done:
    """``python -m coproctl ARGS`` in a process of its own: what a user's terminal shows."""
    proc = subprocess.run(
        [sys.executable, "-m", "coproctl", *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    return Done(
        args,
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


@pytest.fixture
def cli(initialised: Any, mail_dir: Path) -> Cli:
    """The CLI (CliRunner, in this process) on an initialised database of either engine."""
    return Cli(mail_dir)
