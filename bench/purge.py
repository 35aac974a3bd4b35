"""Does ``codes purge`` keep owners waiting? 1,000,000 dead codes among 100,000 live ones.

Builds the database with set-based inserts (INSERT ... SELECT over the accounts and a
10-row counter): one account per live code, ten dead codes per account (expired, used,
superseded, exhausted) and, as in production, one outbox message per dead code. Then times
``code verify`` (the service, a right code), one owner at a time at random moments (about
50 a second), three times: before the purge, DURING the purge, after it. The purge runs as
cron runs it, in a process of its own (its own interpreter: no lock shared with the
owners' side but the database's).

The headline is the DURING figures, against their targets:

- ``code verify`` p95 during the purge <= 3 x its p95 before it;
- ``code verify`` max during the purge <= 100 ms;

on SQLite (where a batch holds the database's write lock: the purge's batch size and its
pause between batches are what the targets tune, see ``services/maintenance``) and on
PostgreSQL (no shared lock; the purge competes for the CPU and the disk). The purge's rate
and the after/before ratio follow.

    python bench/purge.py [--scale 1.0] [--postgres URL] [--batch-size N] [--pause S]

``--scale 0.1`` builds 100,000 dead codes among 10,000 live ones. ``--postgres URL`` runs on
that server, in a schema of its own created for the run and dropped after it (e.g.
``postgresql://postgres@127.0.0.1:5432/test``). The machine's load average is printed with
the figures: on a shared machine, read them with it. The exit status is 1 when a target is
missed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEAD_PER_ACCOUNT = 10
CODE = "12345678"
SECRET = "bench-secret-key-" + "x" * 32


def build(office: Any, accounts: int) -> None:
    from sqlalchemy import case, func, insert, literal, literal_column, select, union_all

    from coproctl.models import Account, OutboxMessage, Owner, VerificationCode
    from coproctl.security.codes import code_digest

    now = datetime.now(UTC)
    old = now - timedelta(days=3)
    engine = office.engine
    chunk = 10_000
    with engine.begin() as conn:
        for start in range(0, accounts, chunk):
            stop = min(start + chunk, accounts)
            conn.execute(
                insert(Owner),
                [
                    {
                        "owner_ref": f"B{i:07d}",
                        "last_name": f"Bench{i}",
                        "created_at": old,
                        "updated_at": old,
                    }
                    for i in range(start, stop)
                ],
            )
        conn.execute(
            insert(Account).from_select(
                [
                    "identifiant",
                    "identifiant_key",
                    "owner_id",
                    "lots",
                    "password_hash",
                    "password_origin",
                    "status",
                    "failed_logins",
                    "created_at",
                    "updated_at",
                ],
                select(
                    literal("B") + Owner.owner_ref,
                    func.lower(literal("B") + Owner.owner_ref),
                    Owner.id,
                    literal_column("'[]'"),
                    literal("x"),
                    literal("syndic"),
                    literal("pending"),
                    literal(0),
                    literal(old),
                    literal(old),
                ),
            )
        )
        counter = union_all(*(select(literal(i).label("i")) for i in range(DEAD_PER_ACCOUNT)))
        n = counter.subquery("n")
        kind = n.c.i % 4  # 0 expired, 1 used (completed), 2 superseded, 3 exhausted
        conn.execute(
            insert(VerificationCode).from_select(
                [
                    "account_id",
                    "purpose",
                    "digest",
                    "target_email",
                    "created_at",
                    "expires_at",
                    "attempts",
                    "verified_at",
                    "superseded_at",
                    "completed_at",
                ],
                select(
                    Account.id,
                    literal("update"),
                    literal(b"\x00" * 32),
                    literal("bench@example.com"),
                    literal(old),
                    literal(old + timedelta(minutes=30)),
                    case((kind == 3, 5), else_=0),
                    case((kind == 1, literal(old + timedelta(minutes=2))), else_=None),
                    case((kind == 2, literal(old + timedelta(minutes=1))), else_=None),
                    case((kind == 1, literal(old + timedelta(minutes=3))), else_=None),
                ).select_from(Account.__table__.join(n, literal(True))),  # type: ignore[attr-defined]
            )
        )
        conn.execute(
            insert(OutboxMessage).from_select(
                [
                    "account_id",
                    "code_id",
                    "kind",
                    "to_addr",
                    "subject",
                    "body_text",
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "created_at",
                    "sent_at",
                    "redacted_at",
                ],
                select(
                    VerificationCode.account_id,
                    VerificationCode.id,
                    literal("update_code"),
                    literal("bench@example.com"),
                    literal("Votre code de vérification"),
                    literal("Bonjour,\n\nVotre code : [CODE]\n\nLe syndic"),
                    literal("sent"),
                    literal(1),
                    literal(old),
                    literal(old),
                    literal(old),
                    literal(old),
                ),
            )
        )
        # the live codes: one in flight per account, all with the same plain code
        ids = list(conn.execute(select(Account.id).order_by(Account.id)).scalars())
        for start in range(0, len(ids), chunk):
            conn.execute(
                insert(VerificationCode),
                [
                    {
                        "account_id": account_id,
                        "purpose": "update",
                        "digest": code_digest(office.secret_key, "update", account_id, CODE),
                        "target_email": "bench@example.com",
                        "created_at": now - timedelta(minutes=5),
                        "expires_at": now + timedelta(days=1),
                        "attempts": 0,
                    }
                    for account_id in ids[start : start + chunk]
                ],
            )
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


def verify_paced(office: Any, identifiants: Iterator[str], until: Any) -> list[float]:
    """``code verify`` for one owner after another, each at a random moment (exponential
    gaps, 20 ms on average: owners do not queue up behind each other), until ``until()``."""
    from coproctl.services.procedures.codes import verify_code

    times = []
    pace = random.Random(7)
    for identifiant in identifiants:
        if until():
            break
        time.sleep(pace.expovariate(1 / 0.020))
        start = time.perf_counter()
        result = verify_code(office, identifiant, CODE)
        times.append(time.perf_counter() - start)
        assert result.next_step == "password_set"
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def ms(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:6.2f} ms, p95 {p95(values) * 1000:6.2f} ms, "
        f"max {max(values) * 1000:7.2f} ms ({len(values)} verifications)"
    )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


@contextmanager
def database(postgres: str | None, folder: Path) -> Iterator[str]:
    """A scratch database URL: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if not postgres:
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = "bench_purge_" + secrets.token_hex(4)
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


def run_purge(environ: dict[str, str], options: dict[str, Any], report: Any) -> None:
    """The purge, in its own process (as cron runs it): sends (report, seconds) back."""
    from coproctl.config import load_settings
    from coproctl.services.maintenance.purges import purge_codes
    from coproctl.services.office import open_backoffice

    with open_backoffice(load_settings(environ=environ), "cron") as cron:
        started = time.perf_counter()
        done = purge_codes(cron, **options)
        report.put((done.as_dict(), time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--postgres", metavar="URL", help="run on PostgreSQL (a scratch schema)")
    parser.add_argument("--batch-size", type=int, help="default: the purge's own")
    parser.add_argument(
        "--pause", type=float, help="seconds after each batch; default: the purge's"
    )
    parser.add_argument("--samples", type=int, default=600, help="verifications before, after")
    args = parser.parse_args()

    from coproctl.config import load_settings
    from coproctl.services.maintenance import batched_delete, purges
    from coproctl.services.maintenance.setup import initialise
    from coproctl.services.office import open_backoffice

    batch_size = args.batch_size or purges.BATCH_SIZE
    pause = batched_delete.PAUSE_SECONDS if args.pause is None else args.pause
    accounts = int(100_000 * args.scale)
    with tempfile.TemporaryDirectory() as folder, database(args.postgres, Path(folder)) as url:
        environ = {
            "COPROCTL_HOME": folder,
            "COPROCTL_DATABASE_URL": url,
            "COPROCTL_SECRET_KEY": SECRET,
            "COPROCTL_MAIL_TRANSPORT": f"file:{Path(folder) / 'mail'}",
            "COPROCTL_MAIL_DELIVERY": "queue",
        }
        settings = load_settings(environ=environ)
        initialise(settings)
        with open_backoffice(settings, "owner") as office:
            started = time.perf_counter()
            build(office, accounts)
            engine = office.engine.dialect.name
            print(
                f"built {accounts * DEAD_PER_ACCOUNT:,} dead codes (+ as many mails) among "
                f"{accounts:,} live ones on {engine} in {time.perf_counter() - started:.1f} s"
            )
            owners = iter(random.Random(1).sample(range(1, accounts), accounts - 1))
            names = (f"BB{i:07d}" for i in owners)
            verify_paced(office, iter(["BB0000000"]), lambda: False)  # warm-up
            before = verify_paced(office, (next(names) for _ in range(args.samples)), bool)
            print(f"before: {load()}")

            report_box = multiprocessing.get_context("spawn").Queue()
            options = {"batch_size": batch_size, "pause": pause}
            purge = multiprocessing.get_context("spawn").Process(
                target=run_purge, args=(environ, options, report_box)
            )
            purge.start()
            time.sleep(1.0)  # the child's start-up (imports), before its first batch
            during = verify_paced(office, names, lambda: not purge.is_alive())
            report, elapsed = report_box.get(timeout=3600)
            purge.join()
            print(f"during: {load()}")
            after = verify_paced(office, (next(names) for _ in range(args.samples)), bool)

    total = report["total"]
    ratio = p95(during) / p95(before)
    worst = max(during) * 1000
    print()
    print(f"code verify DURING the purge ({engine}, batches of {batch_size}, pause {pause} s):")
    print(f"  {ms(during)}")
    verdict = {True: "met", False: "MISSED"}
    print(f"  p95 during / p95 before = {ratio:.2f}  (target <= 3)  {verdict[ratio <= 3]}")
    print(f"  max during = {worst:.1f} ms  (target <= 100 ms)  {verdict[worst <= 100]}")
    print(f"code verify before the purge: {ms(before)}")
    print(f"code verify after the purge:  {ms(after)}")
    print(
        f"purge: {total:,} codes in {elapsed:.1f} s = {total / elapsed:,.0f} rows/s "
        f"({report['batches']} batches)"
    )
    if total != accounts * DEAD_PER_ACCOUNT:
        sys.exit(f"expected {accounts * DEAD_PER_ACCOUNT} codes purged, got {total}")
    if ratio > 3 or worst > 100:
        sys.exit("a target was missed (exit status 1): see DURING above, and the load")


if __name__ == "__main__":
    main()
