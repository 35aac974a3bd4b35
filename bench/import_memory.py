"""Peak memory and time of reading import files, each in a fresh process (issues 9 and 10).

(a) Malformed 50 MB files, and devices: the reader must stop early with its error and stay
    bounded (issue 9 item 8 saw 3.7 GB and 52 s for a 50 MB malformed file, and an endless
    read of /dev/zero). Target: every case under 300 MB peak RSS.
(b) A 10,000-account workbook (.xlsx, typed cells) read by python-calamine and by
    openpyxl's read-only mode, sheet only (how python-calamine was chosen), then by the
    reader itself, against the same data as CSV. Target: the .xlsx under 300 MB peak RSS.

Peak RSS is the child's ``ru_maxrss`` (what the kernel saw at the worst moment, the Python
interpreter included: about 20 MB for an empty one); time is wall time, the best of
``--runs`` (on a shared machine other work only ever adds time).

    pip install -e '.[bench]' && python bench/import_memory.py [--mb 50] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 300
HEADER = "Identifiant;Mot de passe;Réf. copropriétaire;Civilité;Nom;Prénom;Résidence;N° lot\r\n"

# run in the child: read one file, print {"rss_mb", "seconds", "outcome"}
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
kind, path = sys.argv[1], Path(sys.argv[2])
start = time.perf_counter()
outcome = ""
if kind == "reader":
    from coproctl.importers.errors import ReadError
    from coproctl.importers.reader import read_file
    allowed = ("identifiant", "password", "owner_ref", "civility", "last_name", "first_name",
               "copropriete", "lot", "email", "address", "postal_code", "city")
    try:
        table = read_file(path, allowed=allowed, required=("identifiant", "owner_ref", "last_name"))
        notes = len(getattr(table, "notes", []))  # the reader before issue 10 had none
        outcome = f"{len(table.rows)} rows, {len(table.errors)} errors, {notes} notes"
    except ReadError as error:
        outcome = f"{error.code}: {error.message[:70]}"
elif kind == "calamine":
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()
    outcome = f"{sum(1 for _ in rows)} rows"
elif kind == "openpyxl":
    import openpyxl
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[0]
    outcome = f"{sum(1 for _ in sheet.iter_rows(values_only=True))} rows"
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rss_mb": rss, "seconds": seconds, "outcome": outcome}))
"""


def measure(kind: str, path: Path, runs: int) -> dict[str, object]:
    best: dict[str, object] | None = None
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, kind, str(path)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"{kind} {path} failed:\n{done.stderr}")
        result = json.loads(done.stdout)
        if best is None or result["seconds"] < best["seconds"]:  # type: ignore[operator]
            best = result
    assert best is not None
    return best


def _row(i: int) -> str:
    return f"ID{i:07d};Pw-{i:07d}xY;C{i:07d};Mme;Nom{i};Hélène;Les Tilleuls;{i % 40}\r\n"


def _fill(path: Path, size: int, first: str, line: str | None = None) -> Path:
    """``first``, then lines (``line`` or generated rows) up to ``size`` bytes, cp1252."""
    with path.open("wb") as out:
        out.write(first.encode("cp1252"))
        written, i = len(first), 0
        chunk: list[str] = []
        while written < size:
            text = line if line is not None else _row(i)
            chunk.append(text)
            written += len(text)
            i += 1
            if len(chunk) >= 10_000:
                out.write("".join(chunk).encode("cp1252"))
                chunk = []
        out.write("".join(chunk).encode("cp1252"))
    return path


def malformed_files(folder: Path, size: int) -> list[tuple[str, Path]]:
    extra = "ID1;Pw-1xY;C1;Mme;Martin; fils;Jean;Les Tilleuls;3\r\n"  # one ';' too many
    no_id = ";Pw-1xY;C1;Mme;Nom;Léa;T;1\r\n"
    quote = HEADER + 'X1;Pw-1xY;C1;Mme;"Martin;Jean;T;1\r\n'
    return [
        ("every row with a ';' too many", _fill(folder / "extra.csv", size, HEADER, extra)),
        ("no header (numbers only)", _fill(folder / "nohead.csv", size, "1;2\r\n", "4;5;6\r\n")),
        ("a stray quote on line 2, then rows", _fill(folder / "quote.csv", size, quote)),
        ("one line, no line break", _fill(folder / "oneline.csv", size, HEADER, "x" * 1000)),
        ("rows without identifiant", _fill(folder / "noid.csv", size, HEADER, no_id)),
        ("/dev/zero", Path("/dev/zero")),
    ]  # fmt: skip


def workbook(folder: Path, accounts: int) -> tuple[Path, Path]:
    """The same 10,000-account call-for-funds as .xlsx (typed cells) and as CSV."""
    import openpyxl

    random.seed(10)
    header = [
        "Identifiant", "Mot de passe", "Réf. copropriétaire", "Civilité", "Nom", "Prénom",
        "Courriel", "Résidence", "N° lot", "Adresse", "Code postal", "Ville", "Échéance",
        "Montant appelé",
    ]  # fmt: skip
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Appel T4 2026")
    sheet.append(header)
    csv_lines = [";".join(header)]
    due = dt.date(2026, 10, 1)
    for a in range(accounts):
        for lot in range(random.randint(1, 4)):
            amount = round(random.random() * 2000, 2)
            cells = [
                f"ID{a:06d}", f"Pw-{a:06d}xY", f"C{a:06d}", "Mme", f"Lefèvre{a}", "Hélène",
                f"h{a}@example.com", "Les Tilleuls", lot + 1, f"{a} rue de la Paix",
                75001 + a % 20, "Paris", due, amount,
            ]  # fmt: skip
            sheet.append(cells)
            shown = [*cells[:12], due.strftime("%d/%m/%Y"), f"{amount:.2f}".replace(".", ",")]
            csv_lines.append(";".join(str(c) for c in shown))
    xlsx = folder / "appel.xlsx"
    book.save(xlsx)
    csv_path = folder / "appel.csv"
    csv_path.write_bytes(("\r\n".join(csv_lines) + "\r\n").encode("cp1252"))
    return xlsx, csv_path


def line(label: str, result: dict[str, object]) -> str:
    mark = "" if float(result["rss_mb"]) <= TARGET_MB else "  ** over target **"  # type: ignore[arg-type]
    return (
        f"  {label:<44} {result['rss_mb']:>7.0f} MB {result['seconds']:>7.2f} s  "
        f"{result['outcome']}{mark}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=50, help="size of the malformed files")
    parser.add_argument("--accounts", type=int, default=10_000, help="accounts in the workbook")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coproctl-memory-") as tmp:
        folder = Path(tmp)
        print(f"(a) malformed {args.mb} MB files, read_file in a fresh process (peak RSS, time):")
        for label, path in malformed_files(folder, args.mb * 1024 * 1024):
            print(line(label, measure("reader", path, args.runs)), flush=True)
        for path in folder.iterdir():
            path.unlink()
        xlsx, csv_path = workbook(folder, args.accounts)
        print(
            f"(b) {args.accounts:,} accounts: .xlsx {xlsx.stat().st_size / 1e6:.1f} MB, "
            f"CSV {csv_path.stat().st_size / 1e6:.1f} MB"
        )
        results = {
            "python-calamine, sheet only": measure("calamine", xlsx, args.runs),
            "openpyxl read-only, sheet only": measure("openpyxl", xlsx, args.runs),
            "read_file(.xlsx)": measure("reader", xlsx, args.runs),
            "read_file(.csv), same data": measure("reader", csv_path, args.runs),
        }
        for label, result in results.items():
            print(line(label, result))
        calamine = results["python-calamine, sheet only"]
        openpyxl = results["openpyxl read-only, sheet only"]
        xlsx_read = results["read_file(.xlsx)"]
        csv_read = results["read_file(.csv), same data"]
        print(
            f"  openpyxl / calamine: {ratio(openpyxl, calamine, 'seconds'):.1f}x the time, "
            f"{ratio(openpyxl, calamine, 'rss_mb'):.2f}x the memory; "
            f"read_file .xlsx / .csv: {ratio(xlsx_read, csv_read, 'seconds'):.2f}x the time"
        )


def ratio(a: dict[str, object], b: dict[str, object], key: str) -> float:
    return float(a[key]) / float(b[key])  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
