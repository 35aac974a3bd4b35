"""Issue 9 item 6: the worst inputs the suite knows, through the real command.

Each case runs ``python -m coproctl`` in a process of its own (what a terminal shows, with
nothing caught by a test runner) against a database holding an argon2id hash, a legacy
MD5-crypt hash and a code waiting in the outbox, on SQLite and on PostgreSQL. Whatever the
input: no hash, digest, code, SQL statement, parameter or traceback is printed; an error is
one French line (and at most a hint); both engines give the same exit code and error code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.inputs.conftest import Done, command_env, run_coproctl

INITIAL = "Initial-Aa11"
LEGACY = "Ancien-Mdp42"
LONG_I = "İ" * 64  # 64 characters, 128 once case-folded: overflowed PostgreSQL only
HUGE_EMAIL = "a" * 5000 + "@example.com"

# what must never be printed
LEAKS = {
    "argon2 hash": re.compile(r"\$argon2"),
    "bcrypt hash": re.compile(r"\$2[aby]\$"),
    "md5-crypt hash": re.compile(r"\$1\$"),
    "hex digest": re.compile(r"\b[0-9a-fA-F]{32,}\b"),
    "8-digit code": re.compile(r"(?<!\d)\d{8}(?!\d)"),
    "traceback": re.compile(r"Traceback|File \"/"),
    "SQL parameters": re.compile(r"\[parameters:|\[SQL:|parameters hidden"),
    "initial password": re.compile(re.escape(INITIAL)),
    "legacy password": re.compile(re.escape(LEGACY)),
}


@dataclass
class Case:
    name: str
    args: list[str | bytes]
    stdin: str | bytes = b""
    # the exit code this case must give on every engine (None: the same on both is enough)
    exit_code: int | None = None
    files: dict[str, bytes] = field(default_factory=dict)


def _create(identifiant: str | bytes, *extra: str) -> list[str | bytes]:
    return [
        "account",
        "create",
        identifiant,
        "--owner-ref",
        "W0001",
        "--last-name",
        "Pire",
        *extra,
        "--password-stdin",
    ]


PW = INITIAL + "\n"
CFF = (
    "Identifiant;Mot de passe;Ref proprietaire;Nom;Prenom;Email\n"
    f"{LONG_I};{INITIAL};R1;Nom;Prénom;a@example.com\n"
    f"W010;{INITIAL};R2;{'N' * 300};Prénom;a@example.com\n"
    f"W011;Ini\x00tial-Aa11;R3;Nom\x00;Prénom;{HUGE_EMAIL}\n"
    "W012;1234;R4;Nom;Prénom;b@example.com\n"
)
MD5_CRYPT = ("$1$A/ETTeqc$0HRoGjeZWh9O/O.8Ri5iT/", "$1$7jFmBP1D$FEAO7VtuMyW90vX1emoGb.")
OLD_ACCOUNTS = [
    {"identifiant": LONG_I, "owner_ref": "L1", "last_name": "Nom", "password_hash": MD5_CRYPT[0]},
    {
        "identifiant": "W020",
        "owner_ref": "L2",
        "last_name": "N\x00om",
        "password_hash": MD5_CRYPT[1],
    },
    {
        "identifiant": "W021",
        "owner_ref": "L3" * 100,
        "last_name": "Nom",
        "password_hash": "5f4dcc3b5aa765d61d8327deb882cf99",
    },
]
LOGIN = ["login", "--password-stdin"]
UPDATE = ["update", "start", "--password-stdin"]
CASES = [
    Case("create 64 x İ", _create(LONG_I), PW, 2),
    Case("create 65 characters", _create("W" * 65), PW, 2),
    Case("create fullwidth twin", _create("ＬＥＦ００１"), PW, 1),
    Case("create invisible", _create("LEF\u3164001"), PW, 2),
    Case("create cyrillic look-alike", _create("LЕF001"), PW, 2),
    Case("create overlong first name", _create("W002", "--first-name", "P" * 201), PW, 2),
    Case("create overlong owner ref", [*_create("W003"), "--owner-ref", "R" * 65], PW, 2),
    Case("create CR/LF civility", _create("W004", "--civility", "M.\r\nBcc: x@example.com"), PW, 2),
    Case("create huge e-mail", _create("W005", "--email", HUGE_EMAIL), PW, 1),
    Case("create NUL in password", _create("W006"), "Init\x00ial-Aa11\n", 2),
    Case("create weak password", _create("W007"), "1234\n", 2),
    Case("create undecodable bytes", _create(b"W\xff\xfe"), PW, 2),
    Case("overlong actor, wrong", ["--actor", "A" * 300, *LOGIN, "LEF001"], "Faux-Mdp-99\n", 2),
    Case("overlong actor, legacy", ["--actor", "A" * 300, *LOGIN, "LEG001"], LEGACY + "\n", 2),
    Case("escape in actor", ["--actor", "x\x1b[31m", "account", "show", "LEF001"], b"", 2),
    Case("login 64 x İ", [*LOGIN, LONG_I], PW, 2),
    Case("login 10,000 characters", [*LOGIN, "L" * 10_000], "x\n", 2),
    Case("login NUL in password", [*LOGIN, "LEG001"], "Anc\x00ien\n"),
    Case("show 64 x İ", ["account", "show", LONG_I], b"", 2),
    Case("show undecodable bytes", ["account", "show", b"LEF\xff001"], b"", 2),
    Case("search undecodable bytes", ["account", "list", "--search", b"Lef\xe8vre"], b"", 2),
    Case("owner undecodable bytes", ["owner", "show", b"C\xff"], b"", 2),
    Case("audit undecodable bytes", ["audit", "list", "--actor", b"test\xff"], b"", 2),
    Case("forgot huge e-mail", ["password", "forgot", "LEF001", "--email", HUGE_EMAIL]),
    Case("forgot 64 x İ", ["password", "forgot", LONG_I, "--email", "a@example.com"]),
    Case(
        "update start huge e-mail",
        [*UPDATE, "LEG001", "--email", HUGE_EMAIL, "--confirm-email", HUGE_EMAIL],
        LEGACY + "\n",
    ),
    Case("code verify 10,000 digits", ["code", "verify", "LEF001", "9" * 10_000]),
    Case("search wildcards", ["account", "list", "--search", "%" * 1000], b"", 0),
    Case("export wildcards", ["owner", "export", "%%%%"]),
    Case(
        "import NUL and overlong cells",
        ["import", "calls-for-funds", "cff.csv"],
        files={"cff.csv": CFF.encode()},
    ),
    Case(
        "legacy import NUL and overlong cells",
        ["import", "legacy", "old.jsonl"],
        files={"old.jsonl": "\n".join(json.dumps(row) for row in OLD_ACCOUNTS).encode()},
    ),
]


def _prepare(db_url: str, home: Path) -> dict[str, str]:
    """An initialised database with the secrets a leak would show, and the command's env."""
    from passlib.hash import md5_crypt
    from sqlalchemy import text

    from coproctl.config import load_settings
    from coproctl.db import make_engine
    from coproctl.services.maintenance.setup import initialise
    from coproctl.services.office import open_backoffice
    from coproctl.services.owners.accounts import create_account
    from coproctl.services.procedures.update import start_update

    home.mkdir()
    # queued delivery: the code of LEF001's procedure stays waiting in the outbox
    env = command_env(home, db_url, COPROCTL_MAIL_DELIVERY="queue")
    settings = load_settings(environ=env)
    initialise(settings)
    with open_backoffice(settings, "test-staff") as office:
        for identifiant, ref in (("LEF001", "C0001"), ("LEG001", "C0002")):
            create_account(
                office,
                identifiant,
                owner_ref=ref,
                last_name="Lefèvre",
                first_name="Marie",
                initial_password=INITIAL,
            )
        start_update(office, "LEF001", INITIAL, "marie@example.com", "marie@example.com")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE account SET password_hash = :hash, password_origin = 'legacy' "
                    "WHERE identifiant_key = 'leg001'"
                ),
                {"hash": md5_crypt.hash(LEGACY)},
            )
    finally:
        engine.dispose()
    return env


def _problems(case: Case, done: Done) -> list[str]:
    found = [f"{name} printed" for name, pattern in LEAKS.items() if pattern.search(done.output)]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Erreur")]
    if done.exit_code != 0 and not done.stdout.strip() and not errors:
        found.append("failed without a word")
    if errors and not (errors[0] == lines[0] and len(lines) <= 2):
        found.append(f"an error in {len(lines)} lines on stderr, not one (and a hint)")
    if any(not line.startswith("Erreur (") for line in errors):
        found.append("an error not in the house format")
    if case.exit_code is not None and done.exit_code != case.exit_code:
        found.append(f"exit {done.exit_code}, expected {case.exit_code}")
    return found


def _error_code(done: Done) -> str | None:
    found = re.match(r"Erreur \(([a-z_]+)\)", done.stderr)
    return found.group(1) if found else None


def test_worst_inputs_leak_nothing_and_answer_alike_on_both_engines(
    both_engines: dict[str, str], tmp_path: Path
) -> None:
    results: dict[str, dict[str, Done]] = {}
    problems: list[str] = []
    for engine, url in both_engines.items():
        work = tmp_path / engine
        env = _prepare(url, work)
        for case in CASES:
            for name, content in case.files.items():
                (work / name).write_bytes(content)
            stdin = case.stdin.encode() if isinstance(case.stdin, str) else case.stdin
            done = run_coproctl(case.args, env, stdin=stdin, cwd=work)
            results.setdefault(case.name, {})[engine] = done
            problems += [f"{engine}, {case.name}: {p}" for p in _problems(case, done)]
    if len(both_engines) == 2:
        for name, by_engine in results.items():
            answers = {e: (d.exit_code, _error_code(d)) for e, d in by_engine.items()}
            if len(set(answers.values())) > 1:
                problems.append(f"{name}: the engines differ {answers}")
    details = "\n".join(
        f"--- {engine}, {name}: exit {d.exit_code}\n{d.output[-600:]}"
        for name, by_engine in results.items()
        for engine, d in by_engine.items()
        if any(p.startswith((f"{engine}, {name}:", f"{name}:")) for p in problems)
    )
    assert not problems, "\n".join(problems) + "\n" + details
    if len(both_engines) < 2:
        pytest.skip("PostgreSQL half skipped: COPROCTL_TEST_POSTGRES_URL is not set")
