"""Every published vector of tests/data/legacy through ``coproctl import legacy`` and
``coproctl login``, on both engines (issue 10, "Done when").

The vectors go into files as an old extranet's export would hold them: one JSON-lines file
for the hashes that carry their own salt, and one CSV per construction whose salt sits in
its own ``salt`` column (imported with ``--legacy-scheme``). After the imports, each
account's stored hash is read back: a weak format is wrapped (no fast digest is stored), a
strong one is kept as it came. Then, for each vector: a wrong password is refused, the
right one logs in, and the stored hash is a plain argon2id of that password.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlmodel import select

from coproctl.security import passwords
from tests.cli.conftest import Cli
from tests.data.legacy.vectors import VECTORS, Vector
from tests.unit.test_legacy_hash_vectors import WEAK

NEW_HASH = "$argon2id$v=19$m=19456,t=2,p=1$"
IDENTIFIANTS = {f"LEG{number:03d}": vector for number, vector in enumerate(VECTORS, 1)}


def _row(identifiant: str) -> dict[str, str]:
    return {
        "identifiant": identifiant,
        "owner_ref": f"R-{identifiant}",
        "last_name": "Noël",
        "first_name": "Gaëlle",
    }


def _write_files(folder: Path) -> list[tuple[Path, str | None]]:
    """(file, its --legacy-scheme) for every vector: JSON lines, then a CSV per construction."""
    plain = folder / "extranet.jsonl"
    salted: dict[str, list[tuple[str, Vector]]] = {}
    with plain.open("w", encoding="utf-8") as out:
        for identifiant, vector in IDENTIFIANTS.items():
            if vector.construction is None:
                record = {**_row(identifiant), "password_hash": vector.hash}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                salted.setdefault(vector.construction, []).append((identifiant, vector))
    files: list[tuple[Path, str | None]] = [(plain, None)]
    for number, (construction, rows) in enumerate(sorted(salted.items()), 1):
        path = folder / f"extranet-sel-{number}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(["Identifiant", "Réf propriétaire", "Nom", "Prénom", "Hash", "salt"])
            for identifiant, vector in rows:
                row = _row(identifiant)
                writer.writerow([*row.values(), vector.hash, vector.salt])
        files.append((path, construction))
    return files


def _stored() -> dict[str, tuple[str, int]]:
    """Every imported account's (password_hash, failed_logins), read from the database."""
    from coproctl.config import load_settings
    from coproctl.models import Account
    from coproctl.services.office import open_backoffice

    with open_backoffice(load_settings(), "test") as office, office.uow() as uow:
        accounts = uow.session.exec(select(Account)).all()
        return {a.identifiant: (a.password_hash, a.failed_logins) for a in accounts}


def _weak_digest(vector: Vector) -> str:
    """The tail of the fast digest as it came (what a wrapped form must not hold)."""
    return vector.hash.rsplit("$", 1)[-1].split(":")[0].split("}")[-1][-20:]


def test_every_vector_imports_and_logs_in_through_the_cli(cli: Cli, tmp_path: Path) -> None:
    constructions = {v.construction for v in VECTORS if v.construction is not None}
    files = _write_files(tmp_path)
    assert len(files) == 1 + len(constructions)  # one import per construction
    for path, construction in files:
        scheme = () if construction is None else ("--legacy-scheme", construction)
        run = cli.json("import", "legacy", str(path), *scheme)
        assert run.exit_code == 0, run.output
        assert run.data["rejected"] == [], run.data
    for vector in VECTORS:  # no hash, not even a wrapped one, reaches the output
        assert vector.hash not in "".join(cli.transcript)

    before = _stored()
    assert sorted(before) == sorted(IDENTIFIANTS)
    kept = set()
    for identifiant, vector in IDENTIFIANTS.items():
        stored, failed = before[identifiant]
        assert failed == 0
        if stored == vector.hash:
            kept.add(vector.scheme)
            continue
        # wrapped at import: no fast digest in the database (a strong format may be wrapped
        # too, when made with few rounds, as old extranets made them)
        assert stored.startswith(f"$legacy${vector.scheme}$"), (identifiant, stored)
        assert NEW_HASH in stored
        assert _weak_digest(vector) not in stored, identifiant
    assert not kept & WEAK  # every weak format was wrapped
    assert {"django_argon2", "yescrypt", "django_pbkdf2_sha1", "wordpress_bcrypt"} <= kept

    for identifiant, vector in IDENTIFIANTS.items():
        wrong = cli.json("login", identifiant, "--password-stdin", input=vector.wrong + "\n")
        assert wrong.exit_code == 1, (identifiant, wrong.output)
        assert wrong.data["error"]["code"] == "bad_credentials"
        right = cli.json("login", identifiant, "--password-stdin", input=vector.password + "\n")
        assert right.exit_code == 0, (identifiant, vector.scheme, right.output)
        assert right.data["next_step"] == "update required"

    after = _stored()
    for identifiant, vector in IDENTIFIANTS.items():
        stored, failed = after[identifiant]
        assert failed == 0, identifiant  # the right password cleared the wrong one's count
        assert stored.startswith(NEW_HASH), (identifiant, stored)
        assert stored not in before[identifiant][0]
        # the replacement is one hash_password() for every format (tests/unit covers each):
        # checked here where the typed text differs from the bytes the old site hashed
        if vector.latin1 or vector.over_72_bytes or not vector.password.isascii():
            assert passwords.verify(vector.password, stored) == (True, None), identifiant
