"""Done-when 10: `coproctl --help` loads neither sqlalchemy, passlib nor zxcvbn."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sqlalchemy", "sqlmodel", "passlib", "zxcvbn", "argon2", "email_validator", "alembic")

PROBE = """
import json, runpy, sys
sys.argv = ["coproctl", *ARGS]
try:
    runpy.run_module("coproctl", run_name="__main__")
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_by(*args: str) -> set[str]:
    code = PROBE.replace("ARGS", repr(list(args)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_stays_light() -> None:
    for args in (["--help"], ["account", "--help"], ["password", "set", "--help"]):
        loaded = loaded_by(*args)
        assert "typer" in loaded
        assert not loaded.intersection(HEAVY), (args, loaded.intersection(HEAVY))
