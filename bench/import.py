"""``coproctl import calls-for-funds`` against same-run baselines.

(a) The first import of a generated export of N accounts (default 2,000), as a fresh
    process on a fresh SQLite database, against the hashing limit measured in the same run:
    N x one argon2id hash / cores. Target: <= 1.15.
(b) Re-importing an unchanged export (ours reads, merges rows into accounts, compares
    every account with the database and writes nothing) against ``sqlite-utils insert``
    (reads the CSV and inserts every row into a fresh table: no comparison, no merge).
    Not the same work: printed as such, end to end (process start to exit) at each size,
    and as the marginal rate between two sizes (1,000 and 10,000 accounts, so that process
    start-up cancels out; with 4,000 a 10 ms jitter moved the ratio by 15 %).
(c) The fair comparison: a re-import where 10 % of the accounts changed (a new e-mail on
    every row of every tenth identifiant), against ``sqlite-utils upsert`` of the same file
    into a table that holds the previous one (primary key: copropriété code and lot). Both
    read every row, find what changed and write it. Each run starts from a copy of the same
    database.
(d) A 10,000-account ``.xlsx`` workbook against the same data as CSV, each imported with
    ``--dry-run`` (read, merged, compared with the database; no hashing, nothing written, so
    reading weighs most): the ratio, and the peak memory (resident set) of the workbook's
    import. Target: under 300 MB.

Each time is the best of ``--runs``: on a shared machine, other work only ever adds time,
and a difference of two noisy medians is noisier still.

    pip install -e '.[bench]' && python bench/import.py [--accounts 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / "sample_data" / "generate.py"
ENCODING = "windows-1252"
PRIMARY_KEY = ("Code copropriété", "N° lot")  # one row per lot of a copropriété
XLSX_ACCOUNTS = 10_000
XLSX_TARGET_MB = 300
Prepared = tuple[list[str], dict[str, str]]  # a command and its environment


def generate(path: Path, accounts: int) -> int:
    """An export without bad rows; returns its number of data rows."""
    subprocess.run(
        [sys.executable, str(GENERATE), "--accounts", str(accounts), "--no-bad-rows",
         "--out", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    return sum(1 for _ in path.open(encoding=ENCODING)) - 1


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding=ENCODING, newline="") as source:
        rows = list(csv.reader(source, delimiter=";"))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding=ENCODING, newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def changed_copy(source: Path, target: Path) -> int:
    """``source`` with a new e-mail on every row of every tenth identifiant: how many."""
    header, rows = read_rows(source)
    ident, email = header.index("Identifiant internet"), header.index("Courriel")
    order = list(dict.fromkeys(row[ident] for row in rows))
    chosen = set(order[::10])
    for row in rows:
        if row[ident] in chosen:
            row[email] = f"nouvelle.adresse.{row[ident].lower()}@example.com"
    write_rows(target, header, rows)
    return len(chosen)


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds from start to exit, peak resident memory of the process in MB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this process's own peak, not its siblings'
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"{' '.join(command)} failed ({proc.returncode}):\n{err.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024  # kilobytes on Linux


def timed(command: list[str], env: dict[str, str]) -> float:
    return run(command, env)[0]


def environment(home: Path, database: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPROCTL_")}
    env["COPROCTL_HOME"] = str(home)
    env["COPROCTL_ACTOR"] = "bench"
    if database is not None:
        env["COPROCTL_DATABASE_URL"] = f"sqlite:///{database}"
    return env


def coproctl(*args: str) -> list[str]:
    return [sys.executable, "-m", "coproctl", *args]


def sqlite_utils(verb: str, database: Path, path: Path) -> list[str]:
    command = [sys.executable, "-m", "sqlite_utils", verb, str(database), "calls", str(path)]
    command += ["--csv", "--delimiter", ";", "--encoding", ENCODING]
    for column in PRIMARY_KEY:
        command += ["--pk", column]
    return command


def one_hash_seconds(samples: int = 30) -> float:
    from coproctl.security.passwords import hash_password

    hash_password("warm-up")
    times = []
    for i in range(samples):
        start = time.perf_counter()
        hash_password(f"Init-{i:04d}-Qz")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def first_import(folder: Path, accounts: int) -> None:
    export = folder / "first.csv"
    generate(export, accounts)
    env = environment(folder / "first")
    timed(coproctl("init"), env)
    cores = os.cpu_count() or 1
    one = one_hash_seconds()
    limit = accounts * one / cores
    elapsed = timed(coproctl("import", "calls-for-funds", str(export)), env)
    print(f"(a) first import of {accounts} accounts: {elapsed:6.2f} s")
    print(f"    hashing limit: {accounts} x {one * 1000:.1f} ms / {cores} cores = {limit:6.2f} s")
    print(f"    ratio {elapsed / limit:.2f}  (target <= 1.15)")


def marginal(times: dict[int, float], rows: dict[int, int]) -> float:
    small, large = sorted(times)
    return (rows[large] - rows[small]) / (times[large] - times[small])


def best(runs: int, command: Callable[[int], Prepared]) -> float:
    """The shortest of ``runs`` runs; ``command(attempt)`` prepares each one."""
    return min(timed(*command(attempt)) for attempt in range(runs))


def show(label: str, sizes: tuple[int, int], rows: dict[int, int], ours: dict[int, float],
         theirs: dict[int, float], baseline: str, target: str) -> None:  # fmt: skip
    for size in sizes:
        print(
            f"    {size:6,} accounts, {rows[size]:6,} rows: ours {ours[size]:6.3f} s, "
            f"{baseline} {theirs[size]:6.3f} s  end to end: ours / theirs = "
            f"{ours[size] / theirs[size]:.2f}"
        )
    ours_rate, theirs_rate = marginal(ours, rows), marginal(theirs, rows)
    print(f"    marginal {label:<26}{ours_rate:10,.0f} rows/s")
    print(f"    marginal {baseline:<26}{theirs_rate:10,.0f} rows/s")
    print(f"    marginal ratio ours / theirs {ours_rate / theirs_rate:.2f}  ({target})")


def copy_database(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


@dataclass(frozen=True)
class Case:
    """One size of (b) and (c): its files, and the databases each run starts from."""

    folder: Path
    size: int
    export: Path
    changed: Path
    ours: Path  # the export imported once by coproctl
    theirs: Path  # the export inserted once by sqlite-utils

    def _env(self, database: Path | None = None) -> dict[str, str]:
        return environment(self.folder / "home", database)

    def reimport(self, _: int) -> Prepared:
        return coproctl("import", "calls-for-funds", str(self.export)), self._env(self.ours)

    def insert(self, attempt: int) -> Prepared:
        fresh = self.folder / f"fresh-{self.size}-{attempt}.db"
        return sqlite_utils("insert", fresh, self.export), self._env()

    def update(self, _: int) -> Prepared:
        database = copy_database(self.ours, self.folder / "run.db")
        return coproctl("import", "calls-for-funds", str(self.changed)), self._env(database)

    def upsert(self, _: int) -> Prepared:
        database = copy_database(self.theirs, self.folder / "run-theirs.db")
        return sqlite_utils("upsert", database, self.changed), self._env()


def reimports(folder: Path, sizes: tuple[int, int], runs: int) -> None:
    rows: dict[int, int] = {}
    accounts_changed: dict[int, int] = {}
    cases: dict[int, Case] = {}
    for size in sizes:
        case = Case(
            folder,
            size,
            folder / f"export-{size}.csv",
            folder / f"changed-{size}.csv",
            folder / f"base-{size}.db",
            folder / f"base-theirs-{size}.db",
        )
        rows[size] = generate(case.export, size)
        accounts_changed[size] = changed_copy(case.export, case.changed)
        env = environment(folder / "home", case.ours)
        timed(coproctl("init"), env)
        timed(coproctl("import", "calls-for-funds", str(case.export)), env)
        timed(sqlite_utils("insert", case.theirs, case.export), env)
        cases[size] = case
    unchanged_ours = {size: best(runs, case.reimport) for size, case in cases.items()}
    unchanged_theirs = {size: best(runs, case.insert) for size, case in cases.items()}
    changed_ours = {size: best(runs, case.update) for size, case in cases.items()}
    changed_theirs = {size: best(runs, case.upsert) for size, case in cases.items()}
    print(f"(b) re-import of an unchanged export (best of {runs})")
    print("    ours: reads the CSV, merges its rows into accounts and owners, compares each with")
    print("    the database in batches, writes nothing (every account unchanged)")
    print("    sqlite-utils insert --csv: reads the CSV and inserts every row into a new table")
    print("    (no merge, no comparison): not the same work")
    show("re-import", sizes, rows, unchanged_ours, unchanged_theirs, "sqlite-utils insert",
         "previous target >= 3")  # fmt: skip
    print(f"(c) re-import with 10 % of the accounts changed (best of {runs})")
    print(
        "    the changed file: a new e-mail on every row of "
        + ", ".join(f"{accounts_changed[s]:,} of {s:,}" for s in sizes)
        + " accounts"
    )
    print("    ours: reads, merges, compares every account, updates the changed ones (one")
    print("    transaction per batch, an audit row per account updated)")
    print("    sqlite-utils upsert --pk 'Code copropriété' --pk 'N° lot': reads, and upserts")
    print("    every row into the table holding the previous export")
    show("re-import, 10 % changed", sizes, rows, changed_ours, changed_theirs,
         "sqlite-utils upsert", "the same work: >= 1 is faster")  # fmt: skip


def write_xlsx(source: Path, target: Path) -> None:
    """The export as Excel would hold it: text cells, numbers and dates typed."""
    from datetime import datetime

    from openpyxl import Workbook

    header, rows = read_rows(source)
    typed = {header.index("Tantièmes"): int, header.index("Montant appelé"): float}
    due = header.index("Date d'échéance")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Appel T3 2026")
    sheet.append(header)
    for row in rows:
        cells: list[object] = list(row)
        for index, kind in typed.items():
            cells[index] = kind(row[index].replace(",", "."))
        cells[due] = datetime.strptime(row[due], "%d/%m/%Y")
        sheet.append(cells)
    book.save(target)


def workbook(folder: Path, runs: int) -> None:
    csv_file = folder / "xlsx-source.csv"
    generate(csv_file, XLSX_ACCOUNTS)
    xlsx_file = folder / "export.xlsx"
    write_xlsx(csv_file, xlsx_file)
    database = folder / "xlsx.db"
    env = environment(folder / "home", database)
    timed(coproctl("init"), env)

    def dry(path: Path) -> list[str]:
        return coproctl("import", "calls-for-funds", str(path), "--dry-run")

    csv_runs = [run(dry(csv_file), env) for _ in range(runs)]
    xlsx_runs = [run(dry(xlsx_file), env) for _ in range(runs)]
    csv_time, xlsx_time = min(t for t, _ in csv_runs), min(t for t, _ in xlsx_runs)
    csv_peak, xlsx_peak = max(m for _, m in csv_runs), max(m for _, m in xlsx_runs)
    size_mb = xlsx_file.stat().st_size / 1e6
    print(f"(d) {XLSX_ACCOUNTS:,}-account workbook ({size_mb:.1f} MB) against the same data as")
    print(f"    CSV, each imported with --dry-run (best of {runs})")
    print(f"    .csv  {csv_time:6.3f} s, peak memory {csv_peak:5.0f} MB")
    print(f"    .xlsx {xlsx_time:6.3f} s, peak memory {xlsx_peak:5.0f} MB")
    print(
        f"    ratio xlsx / csv {xlsx_time / csv_time:.2f}; peak memory "
        f"{'under' if xlsx_peak < XLSX_TARGET_MB else 'OVER'} {XLSX_TARGET_MB} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000, help="(a): accounts imported")
    parser.add_argument("--sizes", type=int, nargs=2, default=(1000, 10000), help="(b), (c)")
    parser.add_argument("--runs", type=int, default=5, help="best of this many runs")
    parser.add_argument(
        "--parts", default="abcd", help="which parts to run (default abcd; b and c run together)"
    )
    args = parser.parse_args()
    try:
        import openpyxl  # noqa: F401
        import sqlite_utils  # noqa: F401
    except ImportError:
        sys.exit("sqlite-utils and openpyxl are the baselines: pip install -e '.[bench]'")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if "a" in args.parts:
            first_import(folder, args.accounts)
        if "b" in args.parts or "c" in args.parts:
            reimports(folder, tuple(args.sizes), args.runs)
        if "d" in args.parts:
            workbook(folder, args.runs)


if __name__ == "__main__":
    main()
