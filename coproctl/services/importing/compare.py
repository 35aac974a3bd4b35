"""Stage 3, compare: one batch of drafts against what the database holds -> its changes.

:func:`load` reads what the database holds about a batch (one query for its accounts, one
for its owners); :func:`compare` is pure: from the drafts, that snapshot and the password
hashes computed so far, it says which rows to insert and update, which accounts stay
unchanged, which are refused because of what the database holds (an identifiant that
belongs to another owner; a new account without a password, or with an identifiant or an
initial password ``coproctl.inputs`` refuses; a password set by ``--update-passwords``
that it refuses), and which are skipped (a new account of an erased owner, unless
``--restore``). A password to hash is a *job*: the write stage has them hashed, then
compares again with the results.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, CursorResult, Table, select

from coproctl import clock
from coproctl.addresses import InvalidEmail, normalise_email
from coproctl.folding import account_search_text, owner_search_text
from coproctl.importers.fields import OWNER_FIELDS
from coproctl.inputs import identifiant_problem, initial_password_problems
from coproctl.models import PENDING, Account, Owner
from coproctl.services.importing import erased
from coproctl.services.importing.hashes import AnyJob
from coproctl.services.importing.kinds import ImportKind
from coproctl.services.importing.notes import LineNote, on_account
from coproctl.services.importing.plan import AccountDraft, OwnerDraft

ACCOUNT: Table = Account.__table__  # type: ignore[attr-defined]
OWNER: Table = Owner.__table__  # type: ignore[attr-defined]

Row = dict[str, Any]  # an account (with its owner_ref) or an owner, as the database holds it
# draft key -> (the job it was computed for, its result: a new hash, or None when the
# current hash already verifies the password)
Hashes = Mapping[str, tuple[AnyJob, str | None]]

_ACCOUNT_COLUMNS = (
    "id",
    "identifiant",
    "identifiant_key",
    "owner_id",
    "copropriete",
    "copropriete_code",
    "lots",
    "email",
    "email_verified_at",
    "status",
    "password_hash",
    "password_origin",
    "password_changed_at",
)
_OWNER_COLUMNS = ("id", "owner_ref", *OWNER_FIELDS)
# every row of an executemany sets the same columns: unchanged ones keep their value
UPDATED_ACCOUNT_COLUMNS = (
    "copropriete",
    "copropriete_code",
    "lots",
    "email",
    "password_hash",
    "password_origin",
    "password_changed_at",
    "updated_at",
)


@dataclass(frozen=True)
class Context:
    """What a comparison needs besides the drafts and the database."""

    kind: ImportKind
    update_passwords: bool
    now: datetime
    restore: bool = False  # recreate the accounts of erased owners (--restore)


@dataclass(frozen=True)
class Erasure:
    """A new account of the batch names an erased owner (by identifiant or reference)."""

    at: datetime
    digests: tuple[bytes, ...]  # the keyed hashes that matched: forgotten when restored


@dataclass(frozen=True)
class Stored:
    """What the database holds about one batch."""

    accounts: dict[str, Row]  # by identifiant_key
    owners: dict[str, Row]  # by owner_ref
    erased: dict[str, Erasure] = field(default_factory=dict)  # by draft key, new accounts only


def load(conn: Connection, batch: Sequence[OwnerDraft], erasure_key: bytes | None) -> Stored:
    """``erasure_key``: the instance key when some owner was ever erased, else None."""
    keys = [draft.key for owner in batch for draft in owner.accounts]
    refs = [owner.owner_ref for owner in batch]
    query = (
        select(*(ACCOUNT.c[name] for name in _ACCOUNT_COLUMNS), OWNER.c.owner_ref)
        .join(OWNER, OWNER.c.id == ACCOUNT.c.owner_id)
        .where(ACCOUNT.c.identifiant_key.in_(keys))
    )
    accounts = {row["identifiant_key"]: row for row in _dicts(conn.execute(query))}
    query = select(*(OWNER.c[name] for name in _OWNER_COLUMNS)).where(OWNER.c.owner_ref.in_(refs))
    owners = {row["owner_ref"]: row for row in _dicts(conn.execute(query))}
    if erasure_key is None:
        return Stored(accounts, owners)
    return Stored(accounts, owners, _erased(conn, batch, accounts, owners, erasure_key))


def _erased(
    conn: Connection,
    batch: Sequence[OwnerDraft],
    accounts: dict[str, Row],
    owners: dict[str, Row],
    key: bytes,
) -> dict[str, Erasure]:
    """The batch's new accounts whose identifiant, or whose owner's reference (when no
    owner holds it now), was erased."""
    wanted: dict[str, list[bytes]] = {}
    for owner in batch:
        ref = None if owner.owner_ref in owners else erased.owner_ref_digest(key, owner.owner_ref)
        for draft in owner.accounts:
            if draft.key not in accounts:
                own = erased.identifiant_digest(key, draft.identifiant)
                wanted[draft.key] = [own] if ref is None else [own, ref]
    found = erased.erased_at(conn, {d for digests in wanted.values() for d in digests})
    result = {}
    for draft_key, digests in wanted.items():
        hits = tuple(d for d in digests if d in found)
        if hits:
            result[draft_key] = Erasure(min(found[d] for d in hits), hits)
    return result


def _dicts(result: CursorResult[Any]) -> Iterator[Row]:
    keys = list(result.keys())
    rows = result.fetchall()  # one call, rather than a fetchone per row
    return (dict(zip(keys, row)) for row in rows)  # noqa: B905 (same length by construction)


@dataclass
class Changes:
    """What one batch changes. ``jobs``: the passwords to hash before it can be written;
    ``complete`` is False while one of them has no result in the hashes given."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[LineNote] = field(default_factory=list)
    warnings: list[LineNote] = field(default_factory=list)
    owner_inserts: list[Row] = field(default_factory=list)
    owner_updates: list[Row] = field(default_factory=list)
    account_inserts: list[Row] = field(default_factory=list)  # with owner_ref, not owner_id
    account_updates: list[Row] = field(default_factory=list)
    # draft key -> (account id, None until created; identifiant; audit details)
    events: dict[str, tuple[int | None, str, dict[str, Any]]] = field(default_factory=dict)
    jobs: list[tuple[str, AnyJob]] = field(default_factory=list)
    complete: bool = True
    skipped: int = 0  # accounts of erased owners left out
    forget: list[bytes] = field(default_factory=list)  # erasures undone (--restore)

    @property
    def writes(self) -> bool:
        return bool(
            self.owner_inserts or self.owner_updates or self.account_inserts or self.account_updates
        )


def compare(
    batch: Sequence[OwnerDraft], stored: Stored, context: Context, hashes: Hashes
) -> Changes:
    """The changes ``batch`` makes to ``stored``; pure."""
    return _Comparison(stored, context, hashes).run(batch)


class _Comparison:
    def __init__(self, stored: Stored, context: Context, hashes: Hashes) -> None:
        self.stored = stored
        self.kind = context.kind
        self.context = context
        self.now = context.now
        self.hashes = hashes
        self.changes = Changes()

    def run(self, batch: Sequence[OwnerDraft]) -> Changes:
        changes, now = self.changes, self.now
        for owner in batch:
            stored = self.stored.owners.get(owner.owner_ref)
            owner_changes = _owner_changes(owner, stored)
            accepted = 0
            for draft in owner.accounts:
                existing = self.stored.accounts.get(draft.key)
                if existing is None:
                    accepted += self._create(draft, self.stored.erased.get(draft.key))
                elif existing["owner_ref"] != owner.owner_ref:
                    self._refused(
                        draft,
                        "other_owner",
                        f"cet identifiant appartient au propriétaire {existing['owner_ref']} "
                        f"dans la base, le fichier indique {owner.owner_ref} : vérifiez, "
                        "puis « coproctl account link » si le lot a changé de main",
                    )
                else:
                    accepted += self._update(draft, existing, owner_changes)
            if not accepted:
                continue
            if stored is None:
                values = {name: owner.values.get(name) for name in OWNER_FIELDS}
                changes.owner_inserts.append(
                    {
                        "owner_ref": owner.owner_ref,
                        **values,
                        "search_text": _owner_search(owner.owner_ref, values),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            elif owner_changes:
                values = {name: owner.values.get(name, stored[name]) for name in OWNER_FIELDS}
                changes.owner_updates.append(
                    {
                        "_id": stored["id"],
                        **values,
                        "search_text": _owner_search(owner.owner_ref, values),
                        "updated_at": now,
                    }
                )
        return changes

    def _email(self, draft: AccountDraft, stored: str | None) -> str | None:
        """The file's e-mail, normalised, when it is valid and differs from ``stored``."""
        raw = draft.values.get("email")
        if raw is None or raw == stored:
            return None
        try:
            address = normalise_email(raw)
        except InvalidEmail as exc:
            self.changes.warnings.append(
                LineNote(
                    draft.origins.get("email", draft.lines[0]),
                    draft.identifiant,
                    f"e-mail « {raw} » non enregistré : {exc.message_fr}",
                    code="email_not_stored",
                )
            )
            return None
        return None if address == stored else address

    def _secret(self, draft: AccountDraft, value: str, current: str | None) -> str | None:
        """The hash to store (None: ``current`` stays); "" while its job has no result."""
        job = self.kind.job(value, draft.values.get("salt"), current)
        self.changes.jobs.append((draft.key, job))
        found = self.hashes.get(draft.key)
        if found is not None and found[0] == job:
            return found[1]
        self.changes.complete = False
        return ""

    def _refused(self, draft: AccountDraft, code: str, reason: str) -> None:
        self.changes.rejected.extend(on_account(draft, reason, code))

    def _initial_password_refused(self, draft: AccountDraft, password: str) -> bool:
        """An initial password the owner's letter may not carry (``inputs``, one rule with
        ``account create``); a legacy hash is not one."""
        if not self.kind.hashes:
            return False
        values = draft.values
        problems = initial_password_problems(
            password,
            identifiant=draft.identifiant,
            names=(values.get("last_name"), values.get("first_name")),
        )
        if problems:
            reason = "mot de passe initial refusé : " + " ; ".join(problems)
            self._refused(draft, "bad_initial_password", reason)
        return bool(problems)

    def _create(self, draft: AccountDraft, erasure: Erasure | None) -> int:
        changes = self.changes
        if erasure is not None and not self.context.restore:
            changes.skipped += 1
            when = clock.in_paris(erasure.at).strftime("%d/%m/%Y")
            changes.warnings.extend(
                on_account(
                    draft,
                    f"propriétaire effacé le {when}, ligne ignorée ; --restore pour le recréer",
                    "erased_owner",
                )
            )
            return 0
        problem = identifiant_problem(draft.identifiant)
        if problem is not None:
            self._refused(draft, "bad_identifiant", f"identifiant invalide : {problem}")
            return 0
        secret = draft.values.get(self.kind.credential)
        if secret is None:
            missing = "mot de passe manquant" if self.kind.hashes else "empreinte manquante"
            self._refused(draft, "missing_password", f"{missing} (nouveau compte)")
            return 0
        if self._initial_password_refused(draft, secret):
            return 0
        hashed = self._secret(draft, secret, None)
        now = self.now
        changes.account_inserts.append(
            {
                "identifiant": draft.identifiant,
                "identifiant_key": draft.key,
                "owner_ref": draft.owner_ref,  # replaced by owner_id when written
                "copropriete": draft.values.get("copropriete"),
                "copropriete_code": draft.values.get("copropriete_code"),
                "lots": draft.lots,
                "password_hash": hashed,
                "password_origin": self.kind.origin,
                "password_changed_at": now,  # the initial password's age counts from here
                "email": self._email(draft, None),
                "email_verified_at": None,
                "status": PENDING,
                "failed_logins": 0,
                "locked_until": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        row = changes.account_inserts[-1]
        row["search_text"] = account_search_text(
            draft.identifiant, row["email"], row["copropriete"]
        )
        changes.created += 1
        details: dict[str, Any] = {"result": "created"}
        if erasure is not None:
            changes.forget.extend(erasure.digests)
            details["restored"] = True  # an erased owner brought back (--restore)
        changes.events[draft.key] = (None, draft.identifiant, details)
        return 1

    def _update(self, draft: AccountDraft, existing: Row, owner_changes: list[str]) -> int:
        changes, values = self.changes, draft.values
        row: Row = {}  # the changed columns
        changed: list[str] = []
        for name in ("copropriete", "copropriete_code"):
            value = values.get(name)
            if value is not None and value != existing[name]:
                row[name] = value
                changed.append(name)
        if draft.lots and draft.lots != list(existing["lots"] or []):
            row["lots"] = draft.lots
            changed.append("lots")
        email = self._email(draft, existing["email"])
        if email is not None and existing["email_verified_at"] is None:
            row["email"] = email
            changed.append("email")
        secret = values.get(self.kind.credential)
        if self.context.update_passwords and secret is not None and existing["status"] == PENDING:
            if self._initial_password_refused(draft, secret):
                return 0
            hashed = self._secret(draft, secret, existing["password_hash"])
            if hashed is not None:
                row["password_hash"] = hashed
                row["password_origin"] = self.kind.origin
                row["password_changed_at"] = self.now
                changed.append("password")
        if changed:
            row["updated_at"] = self.now
            update = {k: row.get(k, existing.get(k)) for k in UPDATED_ACCOUNT_COLUMNS}
            update["search_text"] = account_search_text(
                existing["identifiant"], update["email"], update["copropriete"]
            )
            changes.account_updates.append({"_id": existing["id"], **update})
        changed.extend(f"owner.{name}" for name in owner_changes)
        if changed:
            changes.updated += 1
            changes.events[draft.key] = (
                existing["id"],
                existing["identifiant"],
                {"result": "updated", "fields": changed},
            )
        else:
            changes.unchanged += 1
        return 1


def _owner_search(owner_ref: str, values: dict[str, Any]) -> str:
    """The owner's search column: the ORM hooks fill it for ORM writes, the import's Core
    writes fill it here (``coproctl.folding``)."""
    return owner_search_text(owner_ref, values["last_name"], values["first_name"])


def _owner_changes(owner: OwnerDraft, stored: Row | None) -> list[str]:
    if stored is None:
        return []
    return [
        name
        for name in OWNER_FIELDS
        if (value := owner.values.get(name)) is not None and value != stored[name]
    ]
