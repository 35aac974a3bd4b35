"""A real SMTP server (aiosmtpd on 127.0.0.1) and the environment that sends mail to it.

Every test of this folder runs with ``COPROCTL_MAIL_TRANSPORT=smtp`` pointed at its own
server. The server records what it accepted and can be told to refuse: a permanent or
transient answer for a recipient (``refuse``), a transient answer a number of times
(``defer``), a refusal after the data (``refuse_data``, as anti-spam filters do).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.cli.conftest import Cli


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: Any

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]

    @property
    def outbox_id(self) -> int:
        return int(self.message["X-Coproctl-Outbox-Id"])


@dataclass
class Recorder:
    """The aiosmtpd handler: records accepted messages; refuses on demand."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> "552 5.2.2 ..."
    defer: dict[str, list[Any]] = field(default_factory=dict)  # address -> [times, reply]
    refuse_data: dict[str, str] = field(default_factory=dict)  # address -> "554 5.7.1 ..."
    wait_for_peers: int = 0  # hold every DATA until this many clients are connected
    delay: float = 0.0
    on_data: Callable[[], None] | None = None  # called (in the server's thread) at each DATA
    hold: threading.Event | None = None  # every DATA waits for it (20 s at most) to answer
    holding: int = 0  # how many DATA are waiting for ``hold`` now
    peers: set[Any] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        with self.lock:
            self.peers.add(session.peer)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        key = address.lower()
        if key in self.refuse:
            return self.refuse[key]
        with self.lock:
            pending = self.defer.get(key)
            if pending and pending[0] > 0:
                pending[0] -= 1
                return pending[1]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        for _ in range(300):  # at most 15 s, once
            if len(self.peers) >= self.wait_for_peers:
                break
            await asyncio.sleep(0.05)
        self.wait_for_peers = 0
        if self.hold is not None:
            with self.lock:
                self.holding += 1
            for _ in range(400):  # at most 20 s
                if self.hold.is_set():
                    break
                await asyncio.sleep(0.05)
            with self.lock:
                self.holding -= 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.on_data is not None:
            self.on_data()
        for address in envelope.rcpt_tos:
            if address.lower() in self.refuse_data:
                return self.refuse_data[address.lower()]
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from, list(envelope.rcpt_tos), envelope.content, session.peer
                )
            )
        return "250 2.0.0 OK queued"


class MailServer:
    def __init__(self, **kwargs: Any) -> None:
        self.handler = Recorder()
        self.port = free_port()
        self.kwargs = kwargs
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)
        self.running = False

    def start(self) -> MailServer:
        if not self.running:
            self.controller = Controller(
                self.handler, hostname="127.0.0.1", port=self.port, **self.kwargs
            )
            self.controller.start()
            self.running = True
        return self

    def stop(self) -> None:
        if self.running:
            self.controller.stop()
            self.running = False

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]

    def code_for(self, address: str) -> str:
        mails = [m for m in self.to(address) if "_code" in (m["X-Coproctl-Kind"] or "")]
        assert mails, f"no code mail for {address}"
        return code_in(mails[-1])


def code_in(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    found = re.search(r"^\s+(\d{4}) ?(\d{4})\s*$", part.get_content(), re.MULTILINE)
    assert found, "no code in this mail"
    return found.group(1) + found.group(2)


@pytest.fixture
def smtp_server() -> Iterator[MailServer]:
    server = MailServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def env(
    env: dict[str, str], smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The tests' environment, mail going to ``smtp_server`` by SMTP."""
    values = {
        "COPROCTL_MAIL_TRANSPORT": "smtp",
        "COPROCTL_SMTP_HOST": "127.0.0.1",
        "COPROCTL_SMTP_PORT": str(smtp_server.port),
        "COPROCTL_SMTP_TIMEOUT": "5",
        "COPROCTL_MAIL_FROM": "Syndic Lefort & Associés <ne-pas-repondre@syndic-lefort.fr>",
        "COPROCTL_MAIL_REPLY_TO": "Service copropriété <copro@syndic-lefort.fr>",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return {**env, **values}


@pytest.fixture
def cli(initialised: Any, mail_dir: Path, smtp_server: MailServer) -> Cli:
    runner = Cli(mail_dir)
    runner.smtp_server = smtp_server  # type: ignore[attr-defined]
    return runner


def server_down(server: MailServer) -> None:
    """The relay stops: nothing listens on its port any more (connection refused).

    (The settings stay as they are: a message remembers the relay it was queued for, and a
    run configured for another one would leave it queued.)
    """
    server.stop()


def server_up(server: MailServer) -> None:
    """The relay is back, on the same port."""
    server.start()


def create_account(
    cli: Cli,
    identifiant: str = "LEF001",
    *,
    owner_ref: str = "C0042",
    last_name: str = "Lefèvre",
    first_name: str = "Marie",
    civility: str = "Mme",
    password: str = "Initial-Aa11",
) -> None:
    run = cli(
        "account",
        "create",
        identifiant,
        "--owner-ref",
        owner_ref,
        "--last-name",
        last_name,
        "--first-name",
        first_name,
        "--civility",
        civility,
        "--copropriete",
        "Les Tilleuls",
        "--password-stdin",
        input=password + "\n",
    )
    assert run.exit_code == 0, run.output


def start_update(cli: Cli, identifiant: str, address: str, password: str = "Initial-Aa11") -> Any:
    return cli(
        "update",
        "start",
        identifiant,
        "--email",
        address,
        "--confirm-email",
        address,
        "--password-stdin",
        input=password + "\n",
    )


def queue_notices(office: Any, count: int, identifiant: str = "LEF001") -> list[int]:
    """``count`` notices in the outbox of ``office``, through the outbox's own code."""
    from coproctl.mail.outbox import queue_mail
    from coproctl.services.common import get_account, owner_of
    from coproctl.services.owners.accounts import create_account as create

    create(
        office,
        identifiant,
        owner_ref="C0042",
        last_name="Lefèvre",
        civility="Mme",
        initial_password="Initial-Aa11",
    )
    with office.uow() as uow:
        account = get_account(uow.session, identifiant)
        owner = owner_of(uow.session, account)
        rows = [
            queue_mail(
                uow,
                office,
                kind="password_changed",
                to=f"owner{number:03d}@example.com",
                owner=owner,
                account=account,
                values={"identifiants": identifiant},
            )
            for number in range(count)
        ]
        uow.commit()
    office.pending_mail.clear()  # cron's job here, not immediate delivery
    return [row.id for row in rows if row.id is not None]


def eventually(check: Callable[[], bool], seconds: float = 20.0) -> bool:
    """Whether ``check`` becomes true within ``seconds`` (polled; for another process's work).

    Never a timing assertion: the bound only keeps a broken test from hanging.
    """
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def activate(cli: Cli, identifiant: str, address: str) -> None:
    """An active account with ``address`` verified, through the update procedure."""
    assert start_update(cli, identifiant, address).exit_code == 0
    from tests.conftest import code_from

    codes = [m for m in cli_mails(cli, address) if "_code" in (m["X-Coproctl-Kind"] or "")]
    assert cli("code", "verify", identifiant, code_from(codes[-1])).exit_code == 0
    new = "Brume-Tilleul-Quartz7"
    run = cli("password", "set", identifiant, "--password-stdin", input=f"{new}\n{new}\n")
    assert run.exit_code == 0, run.output


def cli_mails(cli: Cli, address: str) -> list[Any]:
    """The mails to ``address``, from the relay of the test when it has one, else the folder."""
    server = getattr(cli, "smtp_server", None)
    if server is not None:
        return server.to(address)
    return [m for m in cli.mails() if m["To"].addresses[0].addr_spec == address]
