"""Done-when 5: an import killed at random moments leaves only whole batches, and a re-run
ends with the exact expected counts (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from coproctl.db import make_engine
from coproctl.importers.reader import read_file
from coproctl.models import Account, AuditEvent
from coproctl.services.importing.kinds import CALLS_FOR_FUNDS
from coproctl.services.importing.plan import build_plan
from coproctl.services.importing.write import batches

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = 900
BATCH = 20
KILLS = 10


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "sample_data" / "generate.py"), "--accounts", str(ACCOUNTS),
         "--no-bad-rows", "--seed", "5", "--out", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    return path


def expected_batches(path: Path) -> tuple[list[set[str]], dict[str, list[str]]]:
    """The batches the import will write, in order, and every account's lots."""
    kind = CALLS_FOR_FUNDS
    table = read_file(path, allowed=kind.allowed, required=kind.required_columns)
    plan = build_plan(table, kind)
    assert plan.rejected == []
    lots = {a.key: a.lots for owner in plan.owners for a in owner.accounts}
    keys = [{a.key for o in batch for a in o.accounts} for batch in batches(plan.owners, BATCH)]
    return keys, lots


def database(db_url: str) -> tuple[Callable[[], dict[str, list[str]]], Callable[[], int]]:
    engine = make_engine(db_url)

    def accounts() -> dict[str, list[str]]:
        with engine.connect() as conn:
            rows = conn.execute(select(Account.identifiant_key, Account.lots))  # type: ignore[call-overload]
            return {key: lots for key, lots in rows}

    def events() -> int:
        query = select(func.count()).where(AuditEvent.action == "import.account")  # type: ignore[arg-type]
        with engine.connect() as conn:
            return conn.execute(query).scalar_one()

    return accounts, events


def command(path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "coproctl", *extra, "import", "calls-for-funds", str(path),
            "--batch-size", str(BATCH)]  # fmt: skip


def wait_for_commit(proc: subprocess.Popen[Any], count: Callable[[], int], floor: int) -> None:
    deadline = time.monotonic() + 60
    while count() <= floor and proc.poll() is None:
        assert time.monotonic() < deadline, "the import committed nothing in 60 s"
        time.sleep(0.05)


def check_whole_batches(
    stored: dict[str, list[str]], events: int, plan: list[set[str]], lots: dict[str, list[str]]
) -> None:
    done = 0
    union: set[str] = set()
    while done < len(plan) and union | plan[done] <= stored.keys():
        union |= plan[done]
        done += 1
    assert set(stored) == union, "a batch was written in part"
    assert all(stored[key] == lots[key] for key in stored)
    assert events == len(stored)  # each account's audit row came with it


def test_killed_imports_leave_whole_batches_and_a_rerun_finishes(
    initialised: Any, db_url: str, export: Path
) -> None:
    """kill -9 at 10 random moments (issue 6), each after at least one more batch landed."""
    plan, lots = expected_batches(export)
    accounts, events = database(db_url)
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    kills = 0
    while kills < KILLS:
        before = len(accounts())
        proc = subprocess.Popen(command(export), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_commit(proc, lambda: len(accounts()), before)
        time.sleep(rng.uniform(0.0, 0.3))
        if proc.poll() is not None:
            break  # it finished first: the rest of the test still holds
        proc.send_signal(signal.SIGKILL)
        kills += 1
        proc.wait(timeout=60)
        check_whole_batches(accounts(), events(), plan, lots)
    assert kills == KILLS, f"only {kills} imports could be killed (seed {seed})"
    committed = len(accounts())

    final = subprocess.run(command(export, "--json"), capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    summary = json.loads(final.stdout)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (
        ACCOUNTS - committed,
        0,
        committed,
    ), f"seed {seed}"
    assert set(accounts()) == set(lots)
    check_whole_batches(accounts(), events(), plan, lots)


def test_ctrl_c_stops_cleanly_and_says_how_to_finish(
    initialised: Any, db_url: str, export: Path
) -> None:
    plan, lots = expected_batches(export)
    accounts, events = database(db_url)
    proc = subprocess.Popen(
        command(export), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    wait_for_commit(proc, lambda: len(accounts()), 0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # finished before the signal: nothing to check
        pytest.skip("the import ended before Ctrl-C")
    assert proc.returncode == 130, err
    assert "Import interrompu" in err
    assert "Relancez la même commande" in err
    assert "Traceback" not in err + out
    check_whole_batches(accounts(), events(), plan, lots)
    final = subprocess.run(command(export, "--json"), capture_output=True, text=True, timeout=120)
    summary = json.loads(final.stdout)
    assert summary["created"] + summary["unchanged"] == ACCOUNTS
