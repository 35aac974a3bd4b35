"""Where a composed message goes: an SMTP relay, ``.eml`` files in a folder, the console.

A transport's ``send`` returns normally when the message is accepted, and raises
:class:`DeliveryError` otherwise: ``permanent`` says that trying again cannot help (a 5xx
answer), ``unreachable`` that the relay itself could not be used (no message of the batch
can go: the deliverer stops there and retries later).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Protocol, TextIO

from coproctl.config import Settings
from coproctl.mail.compose import Outgoing
from coproctl.mail.reasons import UNREACHABLE


class DeliveryError(Exception):
    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        smtp_code: int | None = None,
        unreachable: bool = False,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.smtp_code = smtp_code
        self.unreachable = unreachable


class Transport(Protocol):
    def send(self, message: Outgoing) -> None: ...

    def close(self) -> None: ...


class FileTransport:
    """One ``.eml`` file per message, written atomically (a reader never sees half a file)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: Outgoing) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.data)
            os.replace(temporary, self.folder / f"{message.id:08d}-{message.kind}.eml")
        except OSError as exc:
            raise DeliveryError(
                f"{UNREACHABLE} : écriture impossible dans {self.folder} : {exc.strerror}",
                permanent=False,
                unreachable=True,
            ) from None

    def close(self) -> None:
        return None


class ConsoleTransport:
    """Prints the message, decoded, on standard error (standard output is kept for --json)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: Outgoing) -> None:
        import email
        import email.policy

        parsed = email.message_from_bytes(message.data, policy=email.policy.default)
        stream = self.stream or sys.stderr
        for name, value in parsed.items():
            if not name.lower().startswith(("content-", "mime-")):
                stream.write(f"{name}: {value}\n")
        body = parsed.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
        text = body.get_content() if body is not None else ""
        stream.write("\n" + text.replace("\r\n", "\n") + "\n" + "-" * 72 + "\n")
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
