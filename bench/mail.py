"""``coproctl mail send`` against a plain smtplib loop, to the same local aiosmtpd server.

For each batch size (500 and 2,500 by default) the same queued code mails are delivered by
``python -m coproctl mail send`` (a fresh process: start-up, claims, composing, SMTP,
recording the outcomes, redaction) and, from the same messages composed beforehand, by a
plain loop of ``smtplib.SMTP.sendmail`` over one connection. The server runs in its own
process. Rates are marginal, (N2 - N1) / (T(N2) - T(N1)), so that process start-up and
connection set-up cancel out; each timing is the median of ``--repeat`` runs, the two
contenders alternating. Prints both rates and their ratio (target >= 0.8). Every run is
checked on both sides: what the contender says it sent, and what the SMTP server counted
as received during that run, must both be the whole batch (a run that sent less would
flatter its rate): otherwise the bench stops.

    python bench/mail.py [--sizes 500 2500] [--repeat 3] [--postgres URL]

By default the database is a temporary SQLite file; ``--postgres URL`` runs on that server,
in a schema of its own created for the run and dropped after it.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

SERVER = """
import sys, time
from aiosmtpd.controller import Controller

class Sink:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        return "250 2.0.0 OK"

controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
for line in sys.stdin:  # any line: how many messages were received so far
    print(Sink.count, flush=True)
controller.stop()
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def database(postgres: str, folder: Path) -> Iterator[str]:
    """A scratch database URL: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if not postgres:
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = "bench_mail_" + secrets.token_hex(4)
    base = make_url(postgres).set(drivername="postgresql+psycopg")
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def environment(db_url: str, home: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPROCTL_")}
    env.update(
        {
            "COPROCTL_HOME": str(home),
            "COPROCTL_DATABASE_URL": db_url,
            "COPROCTL_SECRET_KEY": "bench-" + "k" * 40,
            "COPROCTL_MAIL_TRANSPORT": "smtp",
            "COPROCTL_MAIL_DELIVERY": "queue",
            "COPROCTL_SMTP_HOST": "127.0.0.1",
            "COPROCTL_SMTP_PORT": str(port),
        }
    )
    return env


def queue(env: dict[str, str], count: int) -> list[bytes]:
    """``count`` update-code mails in an emptied outbox; returns them as composed bytes."""
    os.environ.update(env)
    from sqlalchemy import delete, select

    from coproctl import clock
    from coproctl.config import load_settings
    from coproctl.mail.claims import CLAIMED_COLUMNS, CODES, OUTBOX, Claimed
    from coproctl.mail.compose import compose
    from coproctl.mail.outbox import queue_mail
    from coproctl.mail.sealing import unseal
    from coproctl.security.codes import generate_code
    from coproctl.services.common import find_account, owner_of
    from coproctl.services.maintenance.setup import initialise
    from coproctl.services.office import open_backoffice
    from coproctl.services.owners.accounts import create_account

    settings = load_settings()
    initialise(settings)
    with open_backoffice(settings, "bench") as office:
        with office.uow() as uow:
            uow.session.execute(delete(OUTBOX))
            uow.session.execute(delete(CODES))
            account = find_account(uow.session, "BENCH001")
            uow.commit()
        if account is None:
            create_account(
                office,
                "BENCH001",
                owner_ref="B0001",
                last_name="Lefèvre",
                first_name="Marie",
                civility="Mme",
                initial_password="Bench-Initial-11",  # noqa: S106 (a made-up account)
            )
        expires = clock.now() + timedelta(minutes=30)
        with office.uow() as uow:
            account = find_account(uow.session, "BENCH001")
            assert account is not None
            owner = owner_of(uow.session, account)
            for number in range(count):
                queue_mail(
                    uow,
                    office,
                    kind="update_code",
                    to=f"proprietaire{number:05d}@example.com",
                    owner=owner,
                    account=account,
                    values={"minutes": "30"},
                    code=generate_code(),
                    expires_at=expires,
                )
            uow.commit()
        office.pending_mail.clear()
        with office.uow() as uow:
            rows = uow.session.execute(
                select(*(OUTBOX.c[name] for name in CLAIMED_COLUMNS)).order_by(OUTBOX.c.id)
            ).all()
        return [
            compose(
                Claimed(**row._mapping),
                settings,
                code=unseal(office.secret_key, row.secret, row.message_id or ""),
            ).data
            for row in rows
        ]


class Counter:
    """The SMTP server's own count of the messages it received."""

    def __init__(self, server: subprocess.Popen[str]) -> None:
        self.server = server

    def __call__(self) -> int:
        assert self.server.stdin is not None
        assert self.server.stdout is not None
        self.server.stdin.write("count\n")
        self.server.stdin.flush()
        return int(self.server.stdout.readline())


def checked(who: str, size: int, received: int, said: int | None = None) -> None:
    """Both sides agree that the whole batch went, or the bench stops."""
    if received != size or (said is not None and said != size):
        raise SystemExit(
            f"{who}: {size} messages queued, {said if said is not None else '-'} said sent, "
            f"{received} received by the server: a partial run is not measured"
        )


def run_ours(env: dict[str, str], size: int, count: Counter) -> float:
    before = count()
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "coproctl", "--json", "mail", "send"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    report = json.loads(out.stdout) if out.stdout.strip().startswith("{") else {}
    if out.returncode != 0 or report.get("server_unreachable") or report.get("retrying"):
        raise SystemExit(f"mail send did not deliver everything: {out.stdout}{out.stderr}")
    checked("coproctl mail send", size, count() - before, report.get("sent"))
    return elapsed


def run_baseline(port: int, messages: list[bytes], count: Counter) -> float:
    before = count()
    start = time.perf_counter()
    client = smtplib.SMTP("127.0.0.1", port)
    accepted = 0
    for number, data in enumerate(messages):
        refused = client.sendmail(
            "ne-pas-repondre@localhost", [f"proprietaire{number:05d}@example.com"], data
        )
        accepted += not refused
    client.quit()
    elapsed = time.perf_counter() - start
    checked("smtplib loop", len(messages), count() - before, accepted)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[500, 2500])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default="", metavar="URL")
    args = parser.parse_args()
    small, large = sorted(args.sizes)

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == "ready"
        count = Counter(server)
        with (
            tempfile.TemporaryDirectory() as folder,
            database(args.postgres, Path(folder)) as db_url,
        ):
            env = environment(db_url, Path(folder) / "home", port)
            times: dict[tuple[str, int], list[float]] = {}
            for _ in range(args.repeat):
                for size in (small, large):
                    messages = queue(env, size)
                    times.setdefault(("ours", size), []).append(run_ours(env, size, count))
                    times.setdefault(("base", size), []).append(run_baseline(port, messages, count))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)

    median = {key: statistics.median(values) for key, values in times.items()}
    rates = {
        who: (large - small) / (median[(who, large)] - median[(who, small)])
        for who in ("ours", "base")
    }
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"database: {engine}; sizes {small} and {large}; median of {args.repeat} runs each")
    for who, label in (("ours", "coproctl mail send"), ("base", "smtplib loop")):
        print(
            f"{label:<20} {median[(who, small)]:6.2f} s / {median[(who, large)]:6.2f} s   "
            f"marginal rate {rates[who]:7.0f} msg/s"
        )
    print(f"ratio                {rates['ours'] / rates['base']:.2f}  (target >= 0.80)")
    print("every run: the whole batch said sent and counted received by the server, both sides")


if __name__ == "__main__":
    main()
