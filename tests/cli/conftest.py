"""The CLI driven end to end with Typer's CliRunner, on both engines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coproctl.mail.background import wait_for_children
from tests.conftest import last_code, read_mails


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def data(self) -> Any:
        return json.loads(self.stdout)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Cli:
    """``cli("account", "show", "X", input=...)``; ``--json`` first with ``cli.json(...)``."""

    def __init__(self, mail_dir: Path) -> None:
        self.runner = CliRunner()
        self.mail_dir = mail_dir
        self.transcript: list[str] = []

    def __call__(self, *args: str, input: str | None = None) -> Run:
        from coproctl.cli.app import app

        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=True)
        wait_for_children()  # `password forgot` delivers from a detached process: let it end
        run = Run(result.exit_code, result.stdout, result.stderr, result.exception)
        self.transcript.append(run.output)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"unexpected exception for {args}: {result.exception!r}") from (
                result.exception
            )
        assert "Traceback" not in run.output, run.output
        return run

    def json(self, *args: str, input: str | None = None) -> Run:
        return self("--json", *args, input=input)

    def mails(self) -> list[Any]:
        return read_mails(self.mail_dir)

    def code(self, to: str | None = None) -> str:
        return last_code(self.mail_dir, to)


@pytest.fixture
def cli(initialised: Any, mail_dir: Path) -> Cli:
    return Cli(mail_dir)


@pytest.fixture
def bare_cli(env: dict[str, str], mail_dir: Path) -> Cli:
    """The CLI on a database nobody initialised."""
    return Cli(mail_dir)
