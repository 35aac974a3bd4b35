"""Where a composed message goes: ``.eml`` files in a folder, or the console (stderr).

A transport's ``send`` returns normally when the message is accepted, and raises
:class:`DeliveryError` otherwise; ``permanent`` says whether trying again can help.
"""

from __future__ import annotations

import os
import sys
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol, TextIO

from coproctl.config import Settings


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool, smtp_code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.smtp_code = smtp_code


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class FileTransport:
    """One ``.eml`` file per message, written atomically (a reader never sees half a file)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            name = message["X-Coproctl-Outbox-Id"] or "message"
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
            kind = message["X-Coproctl-Kind"] or "mail"
            os.replace(temporary, self.folder / f"{int(name):08d}-{kind}.eml")
        except OSError as exc:
            raise DeliveryError(
                f"écriture impossible dans {self.folder} : {exc.strerror}", permanent=False
            ) from None

    def close(self) -> None:
        return None


class ConsoleTransport:
    """Prints the message on standard error (standard output is kept for ``--json``)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: EmailMessage) -> None:
        stream = self.stream or sys.stderr
        stream.write(message.as_string())
        stream.write("\n" + "-" * 72 + "\n")
        stream.flush()

    def close(self) -> None:
        return None


def make_transport(settings: Settings) -> Transport:
    spec = settings.resolved_mail_transport()
    if spec == "console":
        return ConsoleTransport()
    if spec.startswith("file:"):
        return FileTransport(Path(spec.removeprefix("file:")).expanduser())
    if spec == "smtp":
        from coproctl.mail.smtp import SmtpTransport

        return SmtpTransport(settings)
    raise ValueError(f"unknown mail transport {spec!r}")
