"""``coproctl --help`` start-up time against a minimal Typer app with two sub-apps.

Both run as fresh processes in the same run, alternately, 10 times each (after one warm-up
each); prints the medians and their ratio. Staff type coproctl all day: the ratio is meant
to stay <= 1.2, which holds only while the --help path imports no SQLAlchemy, passlib or
zxcvbn.

    python bench/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = '''
import typer

app = typer.Typer()
first = typer.Typer()
second = typer.Typer()


@first.command()
def one(name: str) -> None:
    """First sub-app command."""


@second.command()
def two(name: str) -> None:
    """Second sub-app command."""


app.add_typer(first, name="first")
app.add_typer(second, name="second")

if __name__ == "__main__":
    app()
'''


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        baseline = Path(folder) / "baseline.py"
        baseline.write_text(BASELINE)
        ours_cmd = [sys.executable, "-m", "coproctl", "--help"]
        base_cmd = [sys.executable, str(baseline), "--help"]
        timed(ours_cmd)
        timed(base_cmd)
        ours, base = [], []
        for _ in range(args.runs):
            ours.append(timed(ours_cmd))
            base.append(timed(base_cmd))
    ours_median, base_median = statistics.median(ours), statistics.median(base)
    print(f"coproctl --help      median {ours_median * 1000:7.1f} ms over {args.runs} runs")
    print(f"baseline typer app   median {base_median * 1000:7.1f} ms over {args.runs} runs")
    print(f"ratio                {ours_median / base_median:.2f}  (target <= 1.20)")


if __name__ == "__main__":
    main()
