"""Applying an import plan batch by batch (see :mod:`coproctl.services.importing.run`).

Each batch (whole owners, about ``batch_size`` accounts) is first compared with the
database in a short read; if it changes anything, its passwords are handed to the hashing
pool and the batch is written later, in one transaction where it is read and compared again
(so a concurrent change is never overwritten blindly), with Core ``insert()``/``update()``
executemany. Writes lag ``LOOKAHEAD`` batches behind the reads so that the pool always has
work while the database is written.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, CursorResult, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from coproctl import clock
from coproctl.addresses import InvalidEmail, normalise_email
from coproctl.backoffice import Backoffice
from coproctl.importers.fields import FIELDS, OWNER_FIELDS
from coproctl.models import PENDING, Account, AuditEvent, Owner
from coproctl.services.importing.hashes import Hasher, Job, Results, compute
from coproctl.services.importing.plan import AccountDraft, LineNote, OwnerDraft, Plan, batches

if TYPE_CHECKING:
    from collections.abc import Callable

    from coproctl.services.importing.run import ImportKind, ImportOptions

    Progress = Callable[[int, int], None]

ACCOUNT: Table = Account.__table__  # type: ignore[attr-defined]
OWNER: Table = Owner.__table__  # type: ignore[attr-defined]
AUDIT: Table = AuditEvent.__table__  # type: ignore[attr-defined]

LOOKAHEAD = 2  # batches whose passwords are being hashed while an earlier one is written
WRITE_RETRIES = 3  # PostgreSQL: another process created the same owner meanwhile
Stored = dict[str, Any]  # an account (with its owner_ref) or an owner, as the database holds it


@dataclass
class _Diff:
    """What one batch changes; ``jobs`` are the passwords to hash before writing it."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[LineNote] = field(default_factory=list)
    warnings: list[LineNote] = field(default_factory=list)
    owner_inserts: list[dict[str, Any]] = field(default_factory=list)
    owner_updates: list[dict[str, Any]] = field(default_factory=list)
    account_inserts: list[dict[str, Any]] = field(default_factory=list)
    account_updates: list[dict[str, Any]] = field(default_factory=list)
    # key -> (account id, None until created; identifiant; audit details)
    events: dict[str, tuple[int | None, str, dict[str, Any]]] = field(default_factory=dict)
    jobs: list[tuple[str, Job]] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return bool(
            self.owner_inserts or self.owner_updates or self.account_inserts or self.account_updates
        )


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


class _Comparer:
    """Compares one batch of owners with what the database holds."""

    def __init__(self, run: BatchRun, conn: Connection, owners: Sequence[OwnerDraft]) -> None:
        self.run = run
        self.kind = run.kind
        keys = [draft.key for owner in owners for draft in owner.accounts]
        refs = [owner.owner_ref for owner in owners]
        query = (
            select(*(ACCOUNT.c[name] for name in _ACCOUNT_COLUMNS), OWNER.c.owner_ref)
            .join(OWNER, OWNER.c.id == ACCOUNT.c.owner_id)
            .where(ACCOUNT.c.identifiant_key.in_(keys))
        )
        self.accounts: dict[str, Stored] = {
            row["identifiant_key"]: row for row in _dicts(conn.execute(query))
        }
        query = select(*(OWNER.c[name] for name in _OWNER_COLUMNS)).where(
            OWNER.c.owner_ref.in_(refs)
        )
        self.owners: dict[str, Stored] = {
            row["owner_ref"]: row for row in _dicts(conn.execute(query))
        }

    def diff(
        self, owners: Sequence[OwnerDraft], results: Mapping[str, tuple[Job, str | None]] | None
    ) -> _Diff:
        """``results`` None: only find what to hash; else the hashes computed for the jobs."""
        diff = _Diff()
        now = self.run.now
        for owner in owners:
            stored = self.owners.get(owner.owner_ref)
            owner_changes = _owner_changes(owner, stored)
            accepted = 0
            for draft in owner.accounts:
                existing = self.accounts.get(draft.key)
                if existing is None:
                    accepted += self._create(diff, draft, results)
                elif existing["owner_ref"] != owner.owner_ref:
                    diff.rejected.extend(
                        draft.reject(
                            f"cet identifiant appartient au propriétaire {existing['owner_ref']} "
                            f"dans la base, le fichier indique {owner.owner_ref} : vérifiez, "
                            "puis « coproctl account link » si le lot a changé de main"
                        )
                    )
                else:
                    accepted += 1
                    self._update(diff, draft, existing, owner_changes, results)
            if not accepted:
                continue
            if stored is None:
                diff.owner_inserts.append(
                    {
                        "owner_ref": owner.owner_ref,
                        **{name: owner.values.get(name) for name in OWNER_FIELDS},
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            elif owner_changes:
                diff.owner_updates.append(
                    {
                        "_id": stored["id"],
                        **{name: owner.values.get(name, stored[name]) for name in OWNER_FIELDS},
                        "updated_at": now,
                    }
                )
        return diff

    def _email(self, diff: _Diff, draft: AccountDraft, stored: str | None) -> str | None:
        """The file's e-mail, normalised, when it is valid and differs from ``stored``."""
        raw = draft.values.get("email")
        if raw is None or raw == stored:
            return None
        try:
            address = normalise_email(raw)
        except InvalidEmail as exc:
            diff.warnings.append(
                LineNote(
                    draft.origins.get("email", draft.lines[0]),
                    draft.identifiant,
                    f"e-mail « {raw} » non enregistré : {exc.message_fr}",
                )
            )
            return None
        return None if address == stored else address

    def _secret(
        self,
        diff: _Diff,
        draft: AccountDraft,
        value: str,
        current: str | None,
        results: Mapping[str, tuple[Job, str | None]] | None,
    ) -> str | None:
        """The hash to store (None: ``current`` stays), or "" while only finding the jobs."""
        if not self.kind.hashes:
            return None if value == current else value
        job: Job = (value, current)
        if results is None:
            diff.jobs.append((draft.key, job))
            return ""
        found = results.get(draft.key)
        if found is not None and found[0] == job:
            return found[1]
        return compute(value, current)  # the row changed since it was read: rare

    def _create(
        self,
        diff: _Diff,
        draft: AccountDraft,
        results: Mapping[str, tuple[Job, str | None]] | None,
    ) -> int:
        secret = draft.values.get(self.kind.credential)
        if secret is None:
            diff.rejected.extend(
                draft.reject(
                    f"{FIELDS[self.kind.credential].label.lower()} manquant (nouveau compte)"
                )
            )
            return 0
        hashed = self._secret(diff, draft, secret, None, results)
        now = self.run.now
        diff.account_inserts.append(
            {
                "identifiant": draft.identifiant,
                "identifiant_key": draft.key,
                "owner_ref": draft.owner_ref,  # replaced by owner_id when written
                "copropriete": draft.values.get("copropriete"),
                "copropriete_code": draft.values.get("copropriete_code"),
                "lots": draft.lots,
                "password_hash": hashed,
                "password_origin": self.kind.origin,
                "password_changed_at": None,
                "email": self._email(diff, draft, None),
                "email_verified_at": None,
                "status": PENDING,
                "failed_logins": 0,
                "locked_until": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        diff.created += 1
        diff.events[draft.key] = (None, draft.identifiant, {"result": "created"})
        return 1

    def _update(
        self,
        diff: _Diff,
        draft: AccountDraft,
        existing: Stored,
        owner_changes: list[str],
        results: Mapping[str, tuple[Job, str | None]] | None,
    ) -> None:
        values = draft.values
        row: dict[str, Any] = {}  # the changed columns
        changes: list[str] = []
        for name in ("copropriete", "copropriete_code"):
            value = values.get(name)
            if value is not None and value != existing[name]:
                row[name] = value
                changes.append(name)
        if draft.lots and draft.lots != list(existing["lots"] or []):
            row["lots"] = draft.lots
            changes.append("lots")
        email = self._email(diff, draft, existing["email"])
        if email is not None and existing["email_verified_at"] is None:
            row["email"] = email
            changes.append("email")
        secret = values.get(self.kind.credential)
        if (
            self.run.options.update_passwords
            and secret is not None
            and existing["status"] == PENDING
        ):
            hashed = self._secret(diff, draft, secret, existing["password_hash"], results)
            if hashed is not None:
                row["password_hash"] = hashed
                row["password_origin"] = self.kind.origin
                row["password_changed_at"] = self.run.now
                changes.append("password")
        if changes:
            row["updated_at"] = self.run.now
            # every row of an executemany sets the same columns: unchanged ones keep their value
            diff.account_updates.append(
                {
                    "_id": existing["id"],
                    **{k: row.get(k, existing.get(k)) for k in _UPDATED_ACCOUNT_COLUMNS},
                }
            )
        changes.extend(f"owner.{name}" for name in owner_changes)
        if changes:
            diff.updated += 1
            diff.events[draft.key] = (
                existing["id"],
                existing["identifiant"],
                {"result": "updated", "fields": changes},
            )
        else:
            diff.unchanged += 1


_UPDATED_ACCOUNT_COLUMNS = (
    "copropriete",
    "copropriete_code",
    "lots",
    "email",
    "password_hash",
    "password_origin",
    "password_changed_at",
    "updated_at",
)


def _dicts(result: CursorResult[Any]) -> Iterator[dict[str, Any]]:
    keys = list(result.keys())
    rows = result.fetchall()  # one call, rather than a fetchone per row
    return (dict(zip(keys, row)) for row in rows)  # noqa: B905 (same length by construction)


def _owner_changes(owner: OwnerDraft, stored: Stored | None) -> list[str]:
    if stored is None:
        return []
    return [
        name
        for name in OWNER_FIELDS
        if (value := owner.values.get(name)) is not None and value != stored[name]
    ]


class BatchRun:
    """One pass over the plan (a dry run, the strict pre-check, or the import itself)."""

    def __init__(
        self,
        backoffice: Backoffice,
        kind: ImportKind,
        options: ImportOptions,
        source: str,
        *,
        dry_run: bool,
    ) -> None:
        self.backoffice = backoffice
        self.kind = kind
        self.options = options
        self.source = source
        self.dry_run = dry_run
        self.now: datetime = clock.now()
        self.created = self.updated = self.unchanged = 0
        self.rejected: list[LineNote] = []
        self.warnings: list[LineNote] = []

    def apply(self, plan: Plan, progress: Progress | None = None) -> None:
        total, done = plan.accounts, 0

        def advance(accounts: int) -> None:
            nonlocal done
            done += accounts
            if progress is not None:
                progress(done, total)

        advance(0)
        hasher = Hasher(self.options.workers)
        queue: deque[tuple[list[OwnerDraft], list[tuple[str, Job]], Results]] = deque()
        interrupted = False
        try:
            for batch in batches(plan.owners, max(1, self.options.batch_size)):
                self.now = clock.now()
                with self.backoffice.uow() as uow:
                    diff = _Comparer(self, uow.session.connection(), batch).diff(batch, None)
                if self.dry_run or not diff.writes:
                    self._count(diff)
                    advance(len_accounts(batch))
                    continue
                queue.append((batch, diff.jobs, hasher.submit([job for _, job in diff.jobs])))
                while len(queue) > LOOKAHEAD:
                    advance(self._write(*queue.popleft()))
            while queue:
                advance(self._write(*queue.popleft()))
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            hasher.close(cancel=interrupted)

    def _write(self, batch: list[OwnerDraft], jobs: list[tuple[str, Job]], pending: Results) -> int:
        hashes = pending.get()
        results = {key: (job, hashed) for (key, job), hashed in zip(jobs, hashes, strict=True)}
        for attempt in range(WRITE_RETRIES):
            self.now = clock.now()
            try:
                with self.backoffice.uow() as uow:
                    conn = uow.session.connection()
                    diff = _Comparer(self, conn, batch).diff(batch, results)
                    if diff.writes:
                        self._store(conn, diff)
                        uow.commit()
                break
            except IntegrityError:
                if attempt == WRITE_RETRIES - 1:
                    raise
        self._count(diff)
        return len_accounts(batch)

    def _count(self, diff: _Diff) -> None:
        self.created += diff.created
        self.updated += diff.updated
        self.unchanged += diff.unchanged
        self.rejected.extend(diff.rejected)
        self.warnings.extend(diff.warnings)

    def _store(self, conn: Connection, diff: _Diff) -> None:
        owner_ids: dict[str, int] = {}
        if diff.owner_inserts:
            result = conn.execute(
                insert(OWNER).returning(
                    OWNER.c.id, OWNER.c.owner_ref, sort_by_parameter_order=True
                ),
                diff.owner_inserts,
            )
            owner_ids = {ref: id_ for id_, ref in result}
        if diff.owner_updates:
            conn.execute(update(OWNER).where(OWNER.c.id == bindparam("_id")), diff.owner_updates)
        account_ids: dict[str, int] = {}
        if diff.account_inserts:
            missing = {
                row["owner_ref"]
                for row in diff.account_inserts
                if row["owner_ref"] not in owner_ids
            }
            if missing:
                found = conn.execute(
                    select(OWNER.c.id, OWNER.c.owner_ref).where(OWNER.c.owner_ref.in_(missing))
                )
                owner_ids.update({ref: id_ for id_, ref in found})
            rows = []
            for row in diff.account_inserts:
                values = dict(row)
                values["owner_id"] = owner_ids[values.pop("owner_ref")]
                rows.append(values)
            result = conn.execute(
                insert(ACCOUNT).returning(
                    ACCOUNT.c.id, ACCOUNT.c.identifiant_key, sort_by_parameter_order=True
                ),
                rows,
            )
            account_ids = {key: id_ for id_, key in result}
        if diff.account_updates:
            conn.execute(
                update(ACCOUNT).where(ACCOUNT.c.id == bindparam("_id")), diff.account_updates
            )
        self._audit(conn, diff, account_ids)

    def _audit(self, conn: Connection, diff: _Diff, created_ids: Mapping[str, int]) -> None:
        if diff.events:
            conn.execute(
                insert(AUDIT),
                [
                    {
                        "at": self.now,
                        "actor": self.backoffice.actor,
                        "account_id": account_id if account_id is not None else created_ids[key],
                        "identifiant": identifiant,
                        "action": "import.account",
                        "outcome": "ok",
                        "details": {**details, "kind": self.kind.name, "file": self.source},
                    }
                    for key, (account_id, identifiant, details) in diff.events.items()
                ],
            )


def len_accounts(batch: Iterable[OwnerDraft]) -> int:
    return sum(len(owner.accounts) for owner in batch)
