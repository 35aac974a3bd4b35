"""Where a composed message goes: an SMTP relay, ``.eml`` files in a folder, the console.

A transport's ``send`` returns normally when the message is accepted, and raises
:class:`DeliveryError` otherwise: ``permanent`` says that trying again cannot help (a 5xx
answer), ``unreachable`` that the relay itself could not be used (no message of the batch
can go: the deliverer stops there and retries later).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from contextlib import suppress
from datetime import datetime
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
    def send(self, message: Outgoing) -> str | None:
        """Hand ``message`` over; what the other side answered (for ``mail test``)."""
        ...

    def close(self) -> None: ...


class FileTransport:
    """One ``.eml`` file per message, written atomically (a reader never sees half a file)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: Outgoing) -> str | None:
        target = self.folder / f"{message.id:08d}-{message.kind}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.data)
            os.replace(temporary, target)
        except OSError as exc:
            raise DeliveryError(
                f"{UNREACHABLE} : écriture impossible dans {self.folder} : {exc.strerror}",
                permanent=False,
                unreachable=True,
            ) from None
        return f"écrit dans {target}"

    def close(self) -> None:
        return None


def purge_file_codes(folder: Path | None, older_than: datetime, *, dry_run: bool = False) -> int:
    """Remove from the file transport's folder the code mails written before ``older_than``.

    A code mail written as a file holds its code in clear (the outbox erases its copy once
    delivered): ``codes purge`` calls this with its cutoff, so these files do not outlive
    the codes' grace period. Only the files this transport names ``NNNNNNNN-<code kind>.eml``
    and regular files are touched; how many went (or would go, ``dry_run``).
    """
    from coproctl.mail.templates import CODE_KINDS

    if folder is None or not folder.is_dir():
        return 0
    cutoff = older_than.timestamp()
    removed = 0
    for kind in CODE_KINDS:
        for path in folder.glob(f"*-{kind}.eml"):
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(info.st_mode) or info.st_mtime >= cutoff:
                continue
            if not dry_run:
                with suppress(FileNotFoundError):
                    path.unlink()
            removed += 1
    return removed


class ConsoleTransport:
    """Prints the message, decoded, on standard error (standard output is kept for --json)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: Outgoing) -> str | None:
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
        return "affiché sur la console"

    def close(self) -> None:
        return None


KEY_LENGTH = 600  # outbox_message.transport


def file_folder(settings: Settings) -> Path | None:
    """The folder of the file transport, or None when mails are not written as files."""
    spec = settings.resolved_mail_transport()
    if not spec.startswith("file:"):
        return None
    return Path(spec.removeprefix("file:")).expanduser().absolute()


def transport_key(settings: Settings) -> str:
    """Where a message queued now is meant to go: ``smtp:HOST:PORT``, ``file:/DIR``, ``console``.

    Stored with each message: a run configured for another destination (a cron job that
    lost its SMTP settings writes files instead) leaves the message queued.
    """
    spec = settings.resolved_mail_transport()
    folder = file_folder(settings)
    if folder is not None:
        key = f"file:{folder}"
    elif spec == "smtp":
        key = f"smtp:{settings.smtp_host}:{settings.smtp_port}"
    else:
        key = spec
    return key[:KEY_LENGTH]


def describe(key: str | None) -> str:
    """A transport key in French: « le serveur SMTP relais:587 », « le dossier /x »..."""
    if key is None:
        return "le transport configuré"
    if key.startswith("smtp:"):
        return f"le serveur SMTP {key.removeprefix('smtp:')}"
    if key.startswith("file:"):
        return f"le dossier {key.removeprefix('file:')} (fichiers .eml, rien n'est envoyé)"
    return "la console (rien n'est envoyé)"


def described_to(key: str | None) -> str:
    """:func:`describe` after "remis": "au serveur SMTP relais:587", "à la console"."""
    text = describe(key)
    return "au " + text.removeprefix("le ") if text.startswith("le ") else "à " + text


def make_transport(settings: Settings) -> Transport:
    spec = settings.resolved_mail_transport()
    if spec == "console":
        return ConsoleTransport()
    folder = file_folder(settings)
    if folder is not None:
        return FileTransport(folder)
    if spec == "smtp":
        from coproctl.mail.smtp import SmtpTransport

        return SmtpTransport(settings)
    raise ValueError(f"unknown mail transport {spec!r}")
