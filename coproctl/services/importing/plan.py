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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from coproctl.errors import BadInput
from coproctl.importers.fields import FIELDS, OWNER_FIELDS, REPORT_WITHHELD_FIELDS
from coproctl.importers.reader import LineError, SourceRow, Table
from coproctl.inputs import TEXT_LIMITS, identifiant_key, text_problem
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
    origins: dict[str, int]  # the line each value was read on
    rows: list[SourceRow] = field(default_factory=list, repr=False)  # as read, in file order
    varied: frozenset[str] = frozenset()  # LAST_WINS fields whose rows differ

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
    warnings: list[LineNote] = field(default_factory=list)

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
    _check_salt_column(table, kind)
    required = kind.required_values
    rejected: list[LineNote] = []
    bad: dict[str, list[LineError]] = {}
    groups: dict[str, list[SourceRow]] = {}
    for error in table.errors:
        if error.identifiant:
            bad.setdefault(identifiant_key(error.identifiant), []).append(error)
        else:
            rejected.append(LineNote(error.line, None, error.reason))
    checked: dict[tuple[str, str | None], str | None] = {}  # (hash, salt) -> why unusable
    for row in table.rows:
        row = _nfc(row)
        key = identifiant_key(row.values["identifiant"])
        problem = _secret_problem(row, kind, checked)
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
    owners, owner_rejections, warnings = _owners(drafts)
    rejected.extend(owner_rejections)
    rejected.sort(key=lambda note: note.line)
    return Plan(owners, rejected, warnings)


def _nfc(row: SourceRow) -> SourceRow:
    """The row's text in NFC (``Lefèvre`` typed on a Mac is the same owner), as ``account
    create`` stores it; secrets as read."""
    joined = "".join(row.values.values())
    if joined.isascii() or unicodedata.is_normalized("NFC", joined):
        return row
    values = {
        name: value if name in REPORT_WITHHELD_FIELDS else unicodedata.normalize("NFC", value)
        for name, value in row.values.items()
    }
    return row._replace(values=values)


def _secret_problem(
    row: SourceRow, kind: ImportKind, checked: dict[tuple[str, str | None], str | None]
) -> str | None:
    """Why the row's password or hash is unusable whatever the database holds, or None."""
    value = row.values.get(kind.credential)
    if value is None or kind.check_secret is None:
        return None
    salt = row.values.get("salt")
    if (value, salt) not in checked:  # rows of one account repeat its hash: checked once
        checked[value, salt] = kind.check_secret(value, salt, kind.construction)
    return checked[value, salt]


def _check_salt_column(table: Table, kind: ImportKind) -> None:
    """A salt in its own column is never ignored: without the construction that combined it
    with the password, no owner of the file could ever log in."""
    salt = table.columns.get("salt")
    if salt is not None and kind.construction is None:
        raise BadInput(
            "salt_column",
            f"La colonne « {salt} » contient le sel des empreintes : précisez comment "
            "l'extranet combinait sel et mot de passe avec --legacy-scheme (par exemple "
            "--legacy-scheme 'md5(password+salt)' pour Joomla 1.5) ; sans cela aucun de ces "
            "propriétaires ne pourrait se connecter. Rien n'a été importé.",
            column=salt,
        )
    if salt is None and kind.construction is not None:
        raise BadInput(
            "no_salt_column",
            f"--legacy-scheme '{kind.construction}' : aucune colonne de sel (salt, sel) "
            "dans le fichier. Indiquez-la avec --map 'En-tête=salt'.",
        )


_NOT_MERGED = ("lot", "identifiant")
# where rows or accounts of one owner may differ: the row that comes last in the file wins,
# and a warning lists the other values (a letter still reaches the owner)
LAST_WINS = frozenset({"civility", "address", "postal_code", "city", "email"})
# owner fields that say who the owner is: two values reject every account of the owner
IDENTITY = ("last_name", "first_name")


def _merge(
    key: str, rows: list[SourceRow], required: Sequence[str]
) -> tuple[AccountDraft, str | None]:
    first = rows[0]
    values = {k: v for k, v in first.values.items() if k not in _NOT_MERGED}
    same = {**first.values, "lot": None, "identifiant": None} if len(rows) > 1 else None
    seen_at = dict.fromkeys(values, first.line)
    lots: dict[str, None] = {}
    varied: set[str] = set()
    problem: str | None = None
    for row in rows:
        lot = row.values.get("lot")
        if lot is not None:
            for item in split_lots(lot):
                if len(item) > MAX_LOT and problem is None:
                    problem = (
                        f"numéro de lot trop long ({MAX_LOT} caractères au plus, ligne {row.line})"
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
            elif name in LAST_WINS:
                if not (name == "email" and current.lower() == value.lower()):
                    varied.add(name)
            elif problem is None:
                problem = _conflict(name, current, seen_at[name], value, row.line)
    draft = AccountDraft(
        key=key,
        identifiant=unicodedata.normalize("NFKC", first.values["identifiant"]),
        lines=[row.line for row in rows],
        values=values,
        lots=sorted(lots, key=natural_key) if len(lots) > 1 else list(lots),
        origins=seen_at,
        rows=rows,
        varied=frozenset(varied),
    )
    for name in sorted(varied):
        values[name], seen_at[name], _ = _last_value(rows, name)
    if problem is None:
        missing = [FIELDS[name].label for name in required if name not in values]
        if missing:
            problem = "valeur obligatoire manquante : " + ", ".join(missing)
    return draft, problem or _text(values)


def _text(values: dict[str, str]) -> str | None:
    """Why names, address or copropriété cannot be stored, as ``account create`` says it
    (one rule, ``inputs.text_problem``). A printable value within its length is all the
    rule asks: that is tried first, in C."""
    for name, value in values.items():
        limit = TEXT_LIMITS.get(name)
        if limit is None:
            continue  # identifiant, password, e-mail: their own rules
        if not value.isprintable() or len(value) > limit:
            problem = text_problem(value, name)
            if problem is not None:
                return problem
    return None


def _last_value(rows: Iterable[SourceRow], name: str) -> tuple[str, int, dict[str, list[int]]]:
    """(the value of the last row that has one, its line, every value with its lines)."""
    lines: dict[str, list[int]] = {}
    for row in rows:
        value = row.values.get(name)
        if value is not None:
            lines.setdefault(value, []).append(row.line)
    kept = max(lines, key=lambda value: lines[value][-1])
    return kept, lines[kept][-1], lines


def _conflict(name: str, first: str, first_line: int, second: str, second_line: int) -> str:
    lines = f"lignes {first_line} et {second_line}"
    if name == "owner_ref":
        return f"deux propriétaires pour cet identifiant : {first} et {second} ({lines})"
    if name in REPORT_WITHHELD_FIELDS:  # never the secret, nor its salt, in a message
        return f"deux mots de passe différents pour cet identifiant ({lines})"
    return (
        f"« {FIELDS[name].label} » diffère d'une ligne à l'autre : « {first} » "
        f"(ligne {first_line}), « {second} » (ligne {second_line})"
    )


def _lines_text(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:3])
    more = f"… ({len(lines)} lignes)" if len(lines) > 3 else ""
    return f"ligne{'s' if len(lines) > 1 else ''} {shown}{more}"


def _variants_warning(
    draft: AccountDraft, name: str, kept: str, line: int, lines: dict[str, list[int]]
) -> LineNote:
    whose = (
        f"pour le propriétaire {draft.owner_ref}"
        if name in _OWNER_FIELD_SET
        else f"pour l'identifiant {draft.identifiant}"
    )
    others = "; ".join(
        f"« {value} » ({_lines_text(at)})" for value, at in lines.items() if value != kept
    )
    return LineNote(
        line,
        draft.identifiant,
        f"« {FIELDS[name].label} » diffère d'une ligne à l'autre {whose} : « {kept} » retenu "
        f"(ligne {line}, la dernière) ; autre(s) valeur(s) : {others}",
        code="value_differs",
    )


def _owners(
    drafts: list[AccountDraft],
) -> tuple[list[OwnerDraft], list[LineNote], list[LineNote]]:
    """Accounts grouped by owner: (owners, rejected lines, warnings).

    Two names for one owner reference reject every account of that owner; an address that
    differs takes the value of the row that comes last in the file, with a warning.
    """
    owners: dict[str, OwnerDraft] = {}
    for draft in drafts:
        owner = owners.get(draft.owner_ref)
        if owner is None:
            owners[draft.owner_ref] = OwnerDraft(draft.owner_ref, {}, [draft])
        else:
            owner.accounts.append(draft)
    rejected: list[LineNote] = []
    warnings: list[LineNote] = []
    for ref, owner in list(owners.items()):
        accounts = owner.accounts
        if len(accounts) == 1:  # most owners hold one account: nothing to reconcile
            draft = accounts[0]
            owner.values = {k: v for k, v in draft.values.items() if k in _OWNER_FIELD_SET}
            warnings.extend(_varied_warnings(draft, draft.varied))
            continue
        problem = _identity_conflict(owner)
        if problem is not None:
            del owners[ref]
            rejected.extend(note for draft in accounts for note in on_account(draft, problem))
            continue
        for name in OWNER_FIELDS:
            present = {d.values[name] for d in accounts if name in d.values}
            if len(present) == 1 and not any(name in d.varied for d in accounts):
                owner.values[name] = present.pop()
            elif present:
                rows = sorted((row for d in accounts for row in d.rows), key=lambda r: r.line)
                kept, line, lines = _last_value(rows, name)
                owner.values[name] = kept
                of_line = next(d for d in accounts if line in d.lines)
                warnings.append(_variants_warning(of_line, name, kept, line, lines))
        for draft in accounts:
            warnings.extend(_varied_warnings(draft, draft.varied - _OWNER_FIELD_SET))
    return list(owners.values()), rejected, warnings


def _varied_warnings(draft: AccountDraft, names: Iterable[str]) -> list[LineNote]:
    """Warnings for the values that differ between the rows of one account."""
    notes = []
    for name in sorted(names):
        kept, line, lines = _last_value(draft.rows, name)
        notes.append(_variants_warning(draft, name, kept, line, lines))
    return notes


def _identity_conflict(owner: OwnerDraft) -> str | None:
    for name in IDENTITY:
        seen: dict[str, int] = {}
        for draft in owner.accounts:
            value = draft.values.get(name)
            if value is not None and value not in seen:
                seen[value] = draft.origins[name]
        if len(seen) > 1:
            (first, first_line), (second, second_line) = list(seen.items())[:2]
            what = "deux noms" if name == "last_name" else "deux prénoms"
            return (
                f"{what} différents pour le propriétaire {owner.owner_ref} : « {first} » "
                f"(ligne {first_line}) et « {second} » (ligne {second_line})"
            )
    return None


_OWNER_FIELD_SET = frozenset(OWNER_FIELDS)
