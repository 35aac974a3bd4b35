"""Delivery handed to a detached process: the command answers and exits without waiting.

``password forgot`` must take the same time whatever the case (issue 9): delivering the
reset code before exiting would make a match last longer by a relay's round trip. So the
command always starts one detached process, in every case, match or not, and hands it the
ids of what it queued (possibly none) and its settings through a pipe (never argv: ``ps``
shows argv). The process is in a session of its own (a closed terminal or a Ctrl-C does
not stop it); it delivers the messages, then exits. The owner gets the code within
seconds; if the process cannot run, the message stays queued and ``mail send`` (cron)
sends it, as for any failed immediate delivery.

    python -m coproctl.mail.background   (reads one JSON document on standard input)
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import subprocess
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coproctl.backoffice import Backoffice


# the deliverers this process started and that may still run (reaped as they finish)
_children: list[subprocess.Popen[bytes]] = []


def _reap() -> None:
    _children[:] = [child for child in _children if child.poll() is None]


def wait_for_children(timeout: float = 60.0) -> None:
    """Wait for the deliverers this process started (a test; a server stopping)."""
    for child in list(_children):
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout)
    _reap()


def hand_off(backoffice: Backoffice, ids: Sequence[int]) -> None:
    """Start the detached deliverer for ``ids`` (may be empty: the same work every time)."""
    _reap()
    payload = json.dumps(
        {
            "settings": dataclasses.asdict(backoffice.settings),
            "actor": backoffice.actor,
            "ids": list(ids),
        },
        default=str,
    ).encode("utf-8")
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "coproctl.mail.background"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:  # cannot start a process: cron's `mail send` will deliver
        return
    _children.append(process)
    assert process.stdin is not None
    try:
        process.stdin.write(payload)  # a few kB: the pipe takes it without waiting
        process.stdin.close()
    except OSError:
        return


def _run(payload: dict[str, Any]) -> None:
    from coproctl.backoffice import Backoffice, engine_for
    from coproctl.config import Settings
    from coproctl.mail.delivery import deliver
    from coproctl.security.secret_key import load_secret_key

    ids = [int(i) for i in payload["ids"]]
    if not ids:
        return
    settings = Settings(**payload["settings"])
    engine = engine_for(settings)
    try:
        backoffice = Backoffice(settings, engine, load_secret_key(settings), payload["actor"])
        deliver(backoffice, ids)
    finally:
        engine.dispose()


def main() -> None:
    # nobody reads this process's output: a message it could not send stays queued
    with contextlib.suppress(Exception):
        _run(json.loads(sys.stdin.buffer.read()))


if __name__ == "__main__":
    main()
