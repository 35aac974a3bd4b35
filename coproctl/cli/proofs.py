"""The proof of a verified code, carried by the staff CLI from ``code verify`` to
``password set`` (see ``docs/security.md``, "La preuve de validation").

``code verify`` writes the proof the service returned to a file readable by the OS user
alone (0600, in a 0700 folder of the application folder), one file per database and
account; ``password set`` reads it and removes it once used or dead. Staff never see nor
copy it: the two documented commands stay as they were.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from coproctl.config import Settings, app_dir
from coproctl.errors import CoproctlError

# the service's refusals after which the proof can never serve again
DEAD_PROOF_CODES = frozenset({"proof_invalid", "procedure_expired", "wrong_state", "not_found"})


def _folder() -> Path:
    return app_dir() / "proofs"


def proof_path(settings: Settings, identifiant: str) -> Path:
    """The file of this account's proof: named by a hash, so no identifiant shows in it."""
    from coproctl.inputs import identifiant_key

    who = f"{settings.resolved_database_url()}\0{identifiant_key(identifiant)}"
    return _folder() / (hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest() + ".proof")


def save_proof(settings: Settings, identifiant: str, proof: str) -> None:
    """Write the proof (0600), replacing an older one of the same account."""
    folder = _folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = proof_path(settings, identifiant)
    temporary = folder / f".{secrets.token_hex(8)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(proof + "\n")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def load_proof(settings: Settings, identifiant: str) -> str:
    """The proof ``code verify`` left for this account, or "" (the service then refuses)."""
    try:
        return proof_path(settings, identifiant).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def drop_proof(settings: Settings, identifiant: str) -> None:
    with contextlib.suppress(OSError):
        proof_path(settings, identifiant).unlink()


@contextlib.contextmanager
def proof_in_use(settings: Settings, identifiant: str) -> Iterator[str]:
    """The proof, for the block that uses it: removed when the block succeeds (it served)
    or fails with a refusal after which it never can; kept otherwise (a weak password, the
    acknowledgement forgotten: the owner tries again)."""
    try:
        yield load_proof(settings, identifiant)
    except CoproctlError as error:
        if error.code in DEAD_PROOF_CODES:
            drop_proof(settings, identifiant)
        raise
    drop_proof(settings, identifiant)
