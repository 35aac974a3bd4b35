"""Owners erased on a data-protection request, remembered without being named.

``owner erase`` replaces every personal value by a pseudonym; without a memory, the next
quarter's call-for-funds export (which still lists the owner: the accounting software is
not ours) would recreate the accounts, names and address included. So the erasure keeps
the owner reference and each identifiant as a keyed hash, HMAC-SHA256 with the instance
key (``erased_reference``): the database then holds nothing that names the person, and
without the key nobody can test a guess against it. An import computes the same hashes
for the accounts it would create and skips those found, unless told ``--restore``.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Table, delete, exists, insert, select

from coproctl.inputs import identifiant_key
from coproctl.models import ErasedReference

ERASED: Table = ErasedReference.__table__  # type: ignore[attr-defined]

_OWNER_REF = b"erased owner_ref\x00"
_IDENTIFIANT = b"erased identifiant\x00"


def owner_ref_digest(key: bytes, owner_ref: str) -> bytes:
    return hmac.digest(key, _OWNER_REF + owner_ref.strip().encode(), "sha256")


def identifiant_digest(key: bytes, identifiant: str) -> bytes:
    """By the identifiant's key: ``lef001`` is ``LEF001``."""
    return hmac.digest(key, _IDENTIFIANT + identifiant_key(identifiant).encode(), "sha256")


def remember(
    conn: Connection, key: bytes, owner_ref: str, identifiants: Iterable[str], at: datetime
) -> None:
    """Record an erased owner (its reference and its accounts' identifiants), in the
    erasure's transaction."""
    digests = {owner_ref_digest(key, owner_ref)}
    digests |= {identifiant_digest(key, identifiant) for identifiant in identifiants}
    known = set(conn.execute(select(ERASED.c.digest).where(ERASED.c.digest.in_(digests))).scalars())
    rows = [{"digest": digest, "erased_at": at} for digest in digests - known]
    if rows:
        conn.execute(insert(ERASED), rows)


def any_erased(conn: Connection) -> bool:
    """Whether any owner was ever erased (most databases: no, and nothing to compute)."""
    return bool(conn.execute(select(exists().select_from(ERASED))).scalar())


def erased_at(conn: Connection, digests: Iterable[bytes]) -> dict[bytes, datetime]:
    """When each of ``digests`` that names an erased owner was erased."""
    wanted = list(digests)
    if not wanted:
        return {}
    query = select(ERASED.c.digest, ERASED.c.erased_at).where(ERASED.c.digest.in_(wanted))
    return {bytes(digest): at for digest, at in conn.execute(query)}


def forget(conn: Connection, digests: Iterable[bytes]) -> None:
    """An owner brought back (``import --restore``) is no longer skipped."""
    wanted = list(digests)
    if wanted:
        conn.execute(delete(ERASED).where(ERASED.c.digest.in_(wanted)))
