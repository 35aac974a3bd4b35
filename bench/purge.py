"""``codes purge`` on a large table: 1,000,000 dead codes among 100,000 live ones.

Builds the database with set-based inserts (INSERT ... SELECT over the accounts and a
10-row counter): one account per live code, ten dead codes per account (expired, used,
superseded, exhausted) and, as in production, one outbox message per dead code. Then:

1. times ``code verify`` (the service, a right code) on a sample of accounts;
2. runs the purge, timed (rows/s), while another thread keeps verifying codes: the latency
   of those shows whether the purge blocks the owners;
3. times ``code verify`` again on other accounts: the ratio after/before must stay ~1.

    python bench/purge.py [--scale 1.0] [--db URL] [--batch-size 1000] [--samples 200]

``--scale 0.1`` builds 100,000 dead codes among 10,000 live ones. Without ``--db`` the
database is a SQLite file in a temporary folder; a PostgreSQL URL is used as given (the
schema must be empty: a new database).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
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


def verify_times(office: Any, identifiants: list[str]) -> list[float]:
    from coproctl.services.procedures.codes import verify_code

    times = []
    for identifiant in identifiants:
        start = time.perf_counter()
        result = verify_code(office, identifiant, CODE)
        times.append(time.perf_counter() - start)
        assert result.next_step == "password_set"
    return times


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"median {statistics.median(ordered) * 1000:6.2f} ms, p95 {p95 * 1000:6.2f} ms, "
        f"max {ordered[-1] * 1000:6.2f} ms ({len(ordered)} verifications)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temp folder)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()

    from coproctl.config import load_settings
    from coproctl.services.maintenance.purges import purge_codes
    from coproctl.services.maintenance.setup import initialise
    from coproctl.services.office import open_backoffice

    accounts = int(100_000 * args.scale)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        settings = load_settings(
            environ={
                "COPROCTL_HOME": folder,
                "COPROCTL_DATABASE_URL": url,
                "COPROCTL_SECRET_KEY": SECRET,
                "COPROCTL_MAIL_TRANSPORT": f"file:{Path(folder) / 'mail'}",
                "COPROCTL_MAIL_DELIVERY": "queue",
            }
        )
        initialise(settings)
        with open_backoffice(settings, "bench") as office:
            started = time.perf_counter()
            build(office, accounts)
            print(
                f"built {accounts * DEAD_PER_ACCOUNT:,} dead codes (+ as many mails) among "
                f"{accounts:,} live ones on {office.engine.dialect.name} "
                f"in {time.perf_counter() - started:.1f} s"
            )
            step = max(1, accounts // (3 * args.samples))
            names = [f"BB{i:07d}" for i in range(0, accounts, step)]
            before_ids, during_ids, after_ids = (
                names[: args.samples],
                names[args.samples : 2 * args.samples],
                names[2 * args.samples : 3 * args.samples],
            )
            verify_times(office, ["BB0000001"])  # warm-up (connection, caches)
            before = verify_times(office, before_ids)

            during: list[float] = []
            done = threading.Event()

            def verify_during() -> None:
                with open_backoffice(settings, "owner") as other:
                    for identifiant in during_ids:
                        if done.is_set():
                            break
                        during.extend(verify_times(other, [identifiant]))

            worker = threading.Thread(target=verify_during)
            worker.start()
            started = time.perf_counter()
            report = purge_codes(office, batch_size=args.batch_size)
            elapsed = time.perf_counter() - started
            done.set()
            worker.join()
            after = verify_times(office, after_ids)

    print(
        f"purge: {report.total:,} codes in {elapsed:.1f} s = {report.total / elapsed:,.0f} rows/s "
        f"({report.batches} batches of {args.batch_size}; {report.removed})"
    )
    print(f"code verify before the purge: {ms(before)}")
    print(f"code verify during the purge: {ms(during) if during else 'none ran'}")
    print(f"code verify after the purge:  {ms(after)}")
    ratio = statistics.median(after) / statistics.median(before)
    print(f"after / before (medians): {ratio:.2f}  (must not degrade: ~1 or less)")
    if report.total != accounts * DEAD_PER_ACCOUNT:
        sys.exit(f"expected {accounts * DEAD_PER_ACCOUNT} codes purged, got {report.total}")


if __name__ == "__main__":
    main()
