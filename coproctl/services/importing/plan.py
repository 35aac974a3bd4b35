"""Stage 2, plan: a read table -> owner and account drafts, and the lines rejected.

Pure (no database): what can be decided from the file alone is decided here. Rows of one
identifiant are merged, their lots collected; two rows that disagree on a value (two owners,
two passwords, two copropriétés...) reject that identifiant, naming the lines; the accounts
of one owner must agree on the owner's data. An empty cell is no information: it neither
contradicts another row nor erases a stored value. The plan is handed forward as is: the
later stages read it and never change it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from coproctl.importers.fields import FIELDS, OWNER_FIELDS, SECRET_FIELDS
from coproctl.importers.reader import LineError, SourceRow, Table
from coproctl.services.common import identifiant_key
from coproctl.services.importing.kinds import ImportKind
from coproctl.services.importing.notes import LineNote, on_account

_LOT_SPLIT = re.compile(r"\s*[,;/+]\s*|\s+et\s+")
_NATURAL = re.compile(r"(\d+)")
MAX_LOT = 32


@dataclass
class AccountDraft:
    key: str
    identifiant: str
    lines: list[int]
    values: dict[str, str]  # merged single values (owner's and account's), non-empty only
    lots: list[str]
    origins: dict[str, int]  # the line each value was first read on

    @property
    def owner_ref(self) -> str:
        return self.values["owner_ref"]


@dataclass
class OwnerDraft:
    owner_ref: str
    values: dict[str, str]  # OWNER_FIELDS, merged, non-empty only
    accounts: list[AccountDraft] = field(default_factory=list)


@dataclass
class Plan:
    owners: list[OwnerDraft]
    rejected: list[LineNote]

    @property
    def accounts(self) -> int:
        return sum(len(owner.accounts) for owner in self.owners)


def natural_key(lot: str) -> list[Any]:
    """``2`` before ``10``, ``A2`` before ``A10``: lots sorted as people number them."""
    return [int(part) if part.isdigit() else part.lower() for part in _NATURAL.split(lot)]


def split_lots(raw: str) -> list[str]:
    if raw.isalnum():  # the usual cell: one lot number
        return [raw]
    return [lot for lot in _LOT_SPLIT.split(raw) if lot]


def build_plan(table: Table, kind: ImportKind) -> Plan:
    """Merge the table's rows into drafts; ``kind`` says which values are required and why a
    password (or hash) is unusable."""
    required, check_secret = kind.required_values, kind.check_secret
    rejected: list[LineNote] = []
    bad: dict[str, list[LineError]] = {}
    groups: dict[str, list[SourceRow]] = {}
    for error in table.errors:
        if error.identifiant:
            bad.setdefault(identifiant_key(error.identifiant), []).append(error)
        else:
            rejected.append(LineNote(error.line, None, error.reason))
    checked: dict[str, str | None] = {}  # rows of one account repeat its password
    for row in table.rows:
        key = identifiant_key(row.values["identifiant"])
        problem = _row_problem(row, check_secret, checked)
        if problem is not None:
            bad.setdefault(key, []).append(
                LineError(row.line, row.values["identifiant"], problem, [])
            )
        else:
            groups.setdefault(key, []).append(row)
    for key, errors in bad.items():
        rejected.extend(LineNote(e.line, e.identifiant, e.reason) for e in errors)
        others = groups.pop(key, [])
        reason = f"une autre ligne de cet identifiant est invalide (ligne {errors[0].line})"
        rejected.extend(LineNote(row.line, row.values["identifiant"], reason) for row in others)
    drafts: list[AccountDraft] = []
    for key, rows in groups.items():
        draft, problem = _merge(key, rows, required)
        if problem is not None:
            rejected.extend(on_account(draft, problem))
        else:
            drafts.append(draft)
    owners, owner_rejections = _owners(drafts)
    rejected.extend(owner_rejections)
    rejected.sort(key=lambda note: note.line)
    return Plan(owners, rejected)


def _row_problem(
    row: SourceRow, check_secret: Callable[[str], str | None], checked: dict[str, str | None]
) -> str | None:
    for name in SECRET_FIELDS:
        value = row.values.get(name)
        if value is not None:
            if value not in checked:
                checked[value] = check_secret(value)
            if checked[value] is not None:
                return checked[value]
    return None


_NOT_MERGED = ("lot", "identifiant")


def _merge(
    key: str, rows: list[SourceRow], required: Sequence[str]
) -> tuple[AccountDraft, str | None]:
    first = rows[0]
    values = {k: v for k, v in first.values.items() if k not in _NOT_MERGED}
    same = {**first.values, "lot": None, "identifiant": None} if len(rows) > 1 else None
    seen_at = dict.fromkeys(values, first.line)
    lots: dict[str, None] = {}
    problem: str | None = None
    for row in rows:
        lot = row.values.get("lot")
        if lot is not None:
            for item in split_lots(lot):
                if len(item) > MAX_LOT and problem is None:
                    problem = (
                        f"numéro de lot trop long ({MAX_LOT} caractères au plus, ligne {row.line})"
                    )
                lots[item] = None
        if row is first or {**row.values, "lot": None, "identifiant": None} == same:
            continue
        # rows of one identifiant mostly repeat each other: only what differs is looked at
        for name, value in row.values.items() - values.items():
            if name in _NOT_MERGED:
                continue
            current = values.get(name)
            if current is None:
                values[name] = value
                seen_at[name] = row.line
            elif problem is None and not (name == "email" and current.lower() == value.lower()):
                problem = _conflict(name, current, seen_at[name], value, row.line)
    draft = AccountDraft(
        key=key,
        identifiant=first.values["identifiant"],
        lines=[row.line for row in rows],
        values=values,
        lots=sorted(lots, key=natural_key) if len(lots) > 1 else list(lots),
        origins=seen_at,
    )
    if problem is None:
        missing = [FIELDS[name].label for name in required if name not in values]
        if missing:
            problem = "valeur obligatoire manquante : " + ", ".join(missing)
    return draft, problem


def _conflict(name: str, first: str, first_line: int, second: str, second_line: int) -> str:
    lines = f"lignes {first_line} et {second_line}"
    if name == "owner_ref":
        return f"deux propriétaires pour cet identifiant : {first} et {second} ({lines})"
    if name in SECRET_FIELDS:
        return f"deux mots de passe différents pour cet identifiant ({lines})"
    return (
        f"« {FIELDS[name].label} » diffère d'une ligne à l'autre : « {first} » "
        f"(ligne {first_line}), « {second} » (ligne {second_line})"
    )


_OWNER_FIELD_SET = frozenset(OWNER_FIELDS)


def _owners(drafts: list[AccountDraft]) -> tuple[list[OwnerDraft], list[LineNote]]:
    """Accounts grouped by owner; an owner whose accounts disagree on its data is rejected."""
    owners: dict[str, OwnerDraft] = {}
    seen_at: dict[tuple[str, str], int] = {}
    conflicts: dict[str, str] = {}
    for draft in drafts:
        ref = draft.owner_ref
        owner = owners.get(ref)
        if owner is None:  # most owners hold one account: nothing to reconcile
            values = {k: v for k, v in draft.values.items() if k in _OWNER_FIELD_SET}
            owners[ref] = OwnerDraft(ref, values, [draft])
            seen_at.update(((ref, name), draft.lines[0]) for name in values)
            continue
        owner.accounts.append(draft)
        for name in OWNER_FIELDS:
            value = draft.values.get(name)
            if value is None:
                continue
            current = owner.values.get(name)
            if current is None:
                owner.values[name] = value
                seen_at[ref, name] = draft.lines[0]
            elif current != value and ref not in conflicts:
                conflicts[ref] = (
                    f"données contradictoires pour le propriétaire {ref} : "
                    f"« {FIELDS[name].label} » vaut « {current} » (ligne {seen_at[ref, name]}) "
                    f"et « {value} » (ligne {draft.lines[0]})"
                )
    rejected = [
        note
        for ref, reason in conflicts.items()
        for draft in owners.pop(ref).accounts
        for note in on_account(draft, reason)
    ]
    return list(owners.values()), rejected
