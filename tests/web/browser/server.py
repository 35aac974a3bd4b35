"""A real ``coproctl serve`` process for the web tests, and what the owner and staff touch.

:func:`start_site` initialises a database (a SQLite file, or a PostgreSQL schema made by
the caller) with the real CLI, starts ``coproctl serve --insecure-http`` on a free port of
127.0.0.1 with the file mail transport, and waits until it answers. Accounts are made with
the CLI, as staff make them; codes are read from the ``.eml`` files, as the owner reads
them (:class:`Mailbox`). Nothing here imports the web package: the server is a black box.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

SECRET = "w" * 20 + "web-test-secret-key-0123456789"
START_TIMEOUT = 60.0  # seconds for a server to answer (2 busy cores, imports of the web)
MAIL_TIMEOUT = 20.0  # seconds for a mail to reach the folder (background deliverer)
# the code stands alone on its line, grouped for reading: "6776 1939"
CODE_LINE = re.compile(r"^\s*(\d{4} ?\d{4})\s*$", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def base_env(home: Path, db_url: str, mail_dir: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any COPROCTL_* of its own, plus the site's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPROCTL_")}
    env.update(
        {
            "COPROCTL_HOME": str(home),
            "COPROCTL_DATABASE_URL": db_url,
            "COPROCTL_SECRET_KEY": SECRET,
            "COPROCTL_MAIL_TRANSPORT": f"file:{mail_dir}",
            "COPROCTL_ACTOR": "test-staff",
        }
    )
    env.update(extra)
    return env


def coproctl(env: Mapping[str, str], *args: str, stdin: str = "") -> str:
    """Run the real CLI; its standard output, or an AssertionError with what it said."""
    done = subprocess.run(
        [sys.executable, "-m", "coproctl", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=120,
    )
    assert done.returncode == 0, f"coproctl {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


@dataclass
class Mailbox:
    """The mails of one address in the site's mail folder, read once each, oldest first."""

    folder: Path
    address: str
    read: set[str] = field(default_factory=set)

    def _unread(self, kind: str = "") -> list[tuple[str, EmailMessage]]:
        """Unread mails to this address whose kind (``X-Coproctl-Kind``) contains ``kind``,
        in the order the server wrote them (the file transport names them by outbox id)."""
        found = []
        if self.folder.is_dir():
            for path in sorted(self.folder.glob("[0-9]*.eml")):
                if path.name in self.read:
                    continue
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                to = [a.addr_spec.lower() for a in message["To"].addresses]  # type: ignore[union-attr]
                if self.address.lower() in to and kind in (message["X-Coproctl-Kind"] or ""):
                    found.append((path.name, message))  # type: ignore[arg-type]
        return found

    def next_mail(self, kind: str = "", timeout: float = MAIL_TIMEOUT) -> EmailMessage:
        """The next unread mail to this address (waits for the server to write it)."""
        deadline = time.monotonic() + timeout
        while True:
            unread = self._unread(kind)
            if unread:
                name, message = unread[0]
                self.read.add(name)
                return message
            assert time.monotonic() < deadline, f"no new mail ({kind or 'any'}) to {self.address}"
            time.sleep(0.1)

    def next_code(self, timeout: float = MAIL_TIMEOUT) -> str:
        """The code of the next code mail, as printed in it ("6776 1939"), as the owner
        copies it."""
        message = self.next_mail("_code", timeout)
        found = CODE_LINE.search(text_of(message))
        assert found, f"no code in the mail « {message['Subject']} »"
        return found.group(1)

    def unread_count(self, kind: str = "") -> int:
        return len(self._unread(kind))


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@dataclass
class Site:
    """A running ``coproctl serve``, its database, its mail folder and its log."""

    url: str
    env: dict[str, str]
    mail_dir: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, stdin: str = "") -> str:
        return coproctl(self.env, *args, stdin=stdin)

    def create_account(
        self,
        identifiant: str,
        password: str,
        *,
        owner_ref: str,
        last_name: str = "Durand",
        first_name: str = "Camille",
        copropriete: str = "Résidence Les Tilleuls",
        lots: tuple[str, ...] = ("12",),
    ) -> None:
        """A pending account with the letter's password, made as staff make it."""
        args = ["account", "create", identifiant, "--owner-ref", owner_ref]
        args += ["--last-name", last_name, "--first-name", first_name]
        args += ["--copropriete", copropriete, "--password-stdin"]
        for lot in lots:
            args += ["--lot", lot]
        self.cli(*args, stdin=password + "\n")

    def activate(self, identifiant: str, letter: str, address: str, password: str) -> Mailbox:
        """The update procedure done at the shell (a set-up, not what is tested): the account
        becomes active with ``address`` and ``password``. Returns the owner's mailbox, with
        the mails of this set-up already read."""
        box = self.mailbox(address)
        self.cli(
            "update", "start", identifiant, "--email", address, "--confirm-email", address,
            "--password-stdin", stdin=letter + "\n",
        )  # fmt: skip
        self.cli("code", "verify", identifiant, box.next_code().replace(" ", ""))
        self.cli("password", "set", identifiant, "--password-stdin", stdin=f"{password}\n" * 2)
        box.next_mail("account_activated")
        return box

    def account(self, identifiant: str) -> dict[str, object]:
        """``account show --json``: what staff see of an account."""
        import json

        return dict(json.loads(self.cli("--json", "account", "show", identifiant)))

    def age_codes(self, identifiant: str, seconds: int) -> None:
        """Move the account's codes ``seconds`` into the past (their issue time only), so that
        the resend cooldown is over without waiting for it: the one change made behind the
        server's back, in the database it reads, never in its code."""
        from datetime import timedelta

        from sqlalchemy import create_engine, select, update

        from coproctl.models import Account, VerificationCode

        engine = create_engine(self.env["COPROCTL_DATABASE_URL"])
        try:
            with engine.begin() as conn:
                account_id = conn.execute(
                    select(Account.id).where(Account.identifiant == identifiant)  # type: ignore[arg-type]
                ).scalar_one()
                rows = conn.execute(
                    select(VerificationCode.id, VerificationCode.created_at).where(
                        VerificationCode.account_id == account_id  # type: ignore[arg-type]
                    )
                ).all()
                for code_id, created_at in rows:
                    conn.execute(
                        update(VerificationCode)
                        .where(VerificationCode.id == code_id)  # type: ignore[arg-type]
                        .values(created_at=created_at - timedelta(seconds=seconds))
                    )
        finally:
            engine.dispose()

    def mailbox(self, address: str) -> Mailbox:
        return Mailbox(self.mail_dir, address)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the server's process group (uvicorn and its workers), then SIGKILL."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)


def answers(url: str) -> int | None:
    """The status of GET url, or None when nothing answers yet."""
    host_port = url.split("://", 1)[1].rstrip("/")
    host, port = host_port.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("GET", "/")
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def start_site(
    folder: Path,
    db_url: str | None = None,
    *,
    settings: Mapping[str, str] | None = None,
    workers: int = 1,
    initialise: bool = True,
) -> Site:
    """``coproctl init`` then ``coproctl serve`` on a free port; returns once it answers 200.

    ``settings`` are extra ``COPROCTL_*`` variables of this site (rate limits, cooldown);
    ``initialise=False`` for a second server on a database the first one made.
    """
    folder.mkdir(parents=True, exist_ok=True)
    db_url = db_url or f"sqlite:///{folder / 'coproctl.db'}"
    env = base_env(folder / "home", db_url, folder / "mail", settings or {})
    if initialise:
        coproctl(env, "init")
    port = free_port()
    log = folder / f"serve-{port}.log"
    site = Site(f"http://127.0.0.1:{port}", env, folder / "mail", log)
    command = [sys.executable, "-m", "coproctl", "serve", "--insecure-http"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    if workers != 1:
        command += ["--workers", str(workers)]
    with log.open("wb") as out:
        site.process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if site.process.poll() is not None:
            raise AssertionError(f"coproctl serve stopped at start:\n{site.log_tail()}")
        status = answers(site.url)
        if status == 200:
            return site
        if time.monotonic() > deadline:
            site.stop()
            raise AssertionError(
                f"coproctl serve does not answer 200 ({status}):\n{site.log_tail()}"
            )
        time.sleep(0.2)


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """A PostgreSQL schema of its own for a test's servers, dropped after; skips the test
    when ``COPROCTL_TEST_POSTGRES_URL`` is not set (as ``tests/conftest.py``'s ``db_url``)."""
    import pytest
    from sqlalchemy import create_engine, text

    from tests.conftest import POSTGRES_URL, SKIP_PG, _pg_schema_url

    if not POSTGRES_URL:
        pytest.skip(SKIP_PG)
    schema = "w_" + uuid.uuid4().hex[:16]
    admin = create_engine(_pg_schema_url(POSTGRES_URL, "public"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
