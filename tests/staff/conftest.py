"""The staff's CLI end to end (CliRunner, or a real terminal), on both engines."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(initialised: Any, mail_dir: Path) -> Cli:
    return Cli(mail_dir)


def make_account(
    cli: Cli,
    identifiant: str,
    owner_ref: str,
    last_name: str,
    *extra: str,
) -> None:
    run = cli(
        "account",
        "create",
        identifiant,
        "--owner-ref",
        owner_ref,
        "--last-name",
        last_name,
        *extra,
        "--generate-password",
    )
    assert run.exit_code == 0, run.output


class Terminal:
    """``coproctl`` run in a pseudo-terminal of a given width (what staff see)."""

    def __init__(self, columns: int = 80) -> None:
        self.columns = columns

    def run(
        self, *args: str, answer: bytes | None = None, ctrl_c_after: str | None = None
    ) -> tuple[int, str]:
        import fcntl
        import struct
        import termios

        main, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, self.columns, 0, 0))
        env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
        env["PYTHONPATH"] = str(ROOT)
        process = subprocess.Popen(
            [sys.executable, "-m", "coproctl", *args],
            stdin=child,
            stdout=child,
            stderr=child,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
        os.close(child)
        output = b""
        deadline = time.monotonic() + 120
        sent = False
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
            if not sent and ctrl_c_after and ctrl_c_after.encode() in output:
                time.sleep(0.3)  # the prompt is up and reading: Ctrl-C lands in it
                os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C at the terminal does
                sent = True
            if not sent and answer is not None and b"confirmer" in output:
                os.write(main, answer)
                sent = True
            if process.poll() is not None and not ready:
                break
        process.wait(timeout=30)
        os.close(main)
        return process.returncode, output.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture
def terminal() -> Terminal:
    return Terminal(80)
