"""A header's cells resolved to fields: aliases, ``--map`` by name or position, repeats.

- ``--map 'Header=field'`` names a header; ``--map '#9=field'`` names the 9th column,
  counted from 1 as a spreadsheet user counts (the way to tell apart three columns all
  called ``Adresse``); ``field`` may be ``-`` to leave the column out.
- Repeated address columns are joined into one address (:data:`JOINED_FIELDS`); any other
  field read from two columns is refused with the ``--map`` that settles it.
- One owner column (``Copropriétaire``) stands for the name columns when there are none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from coproctl.importers.errors import ReadError
from coproctl.importers.fields import (
    FIELDS,
    IGNORE,
    JOINED_FIELDS,
    OWNER_COLUMN,
    aliases_for,
    normalise_header,
    resolve_field,
)
from coproctl.importers.result import ReadNote


def position_key(position: int) -> str:
    """The mapping key of a column given by position (1 = the first column)."""
    return f"#{position}"


def parse_mapping(items: Iterable[str], allowed: Sequence[str]) -> dict[str, str]:
    """``--map`` options -> {normalised header, or ``#N``: field or IGNORE}."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, target = item.partition("=")
        header = header.strip()
        if header.startswith("#"):
            number = header[1:].strip()
            if not number.isdigit() or int(number) < 1:
                raise ReadError(
                    "bad_mapping",
                    f"--map « {item} » : après # vient le numéro de la colonne, compté à "
                    "partir de 1 (--map '#9=address').",
                )
            key = position_key(int(number))
        else:
            key = normalise_header(header)
        if not sep or not key:
            raise ReadError(
                "bad_mapping",
                f"--map « {item} » : la forme attendue est 'En-tête=champ' ou '#N=champ'.",
            )
        target = target.strip()
        if target in ("", IGNORE):
            mapping[key] = IGNORE
            continue
        name = target if target in FIELDS else resolve_field(target)
        if name is None or name not in allowed:
            raise ReadError(
                "bad_mapping",
                f"--map « {item} » : champ inconnu « {target} ». Champs possibles : "
                f"{', '.join(allowed)} (ou « - » pour ignorer la colonne).",
            )
        mapping[key] = name
    return mapping


class Columns:
    """The header's cells resolved to fields (``index``: field -> its column)."""

    def __init__(self, header: list[str], allowed: Sequence[str], mapping: Mapping[str, str]):
        self.header = header
        self.index: dict[str, int] = {}
        self.joined: dict[str, list[int]] = {}  # field -> every column it is read from
        self.owner_at: int | None = None  # the one owner column, when it stands for names
        self.ignored: list[str] = []
        self.duplicates: list[tuple[int, int, str]] = []
        aliases = aliases_for(tuple(allowed))
        for i, cell in enumerate(header):
            key = normalise_header(cell)
            name = mapping.get(position_key(i + 1)) or mapping.get(key) or aliases.get(key)
            if name == OWNER_COLUMN:
                if self.owner_at is None:
                    self.owner_at = i
                    continue
                name = None
            if name is None or name == IGNORE or name not in allowed:
                if cell.strip():
                    self.ignored.append(cell.strip())
                continue
            if name in self.index:
                if name in JOINED_FIELDS:
                    self.joined.setdefault(name, [self.index[name]]).append(i)
                else:
                    self.duplicates.append((self.index[name], i, name))
                continue
            self.index[name] = i
        if self.owner_at is not None and "last_name" in self.index:
            self.ignored.append(header[self.owner_at].strip())  # the name columns win
            self.owner_at = None

    @property
    def score(self) -> int:
        return len(self.index) + (self.owner_at is not None)

    def described(self) -> dict[str, str]:
        """Field -> the header it is read from, for the summary."""
        columns = {name: self.header[i] for name, i in self.index.items()}
        for name, positions in self.joined.items():
            columns[name] = " + ".join(f"{self.header[i]} (n° {i + 1})" for i in positions)
        if self.owner_at is not None:
            for name in ("civility", "last_name", "first_name"):
                columns.setdefault(name, self.header[self.owner_at])
        return columns

    def notes(self, line: int) -> list[ReadNote]:
        """What the reader does with the columns, said once for the file."""
        notes = []
        for name, positions in self.joined.items():
            listed = ", ".join(f"n° {i + 1}" for i in positions)
            notes.append(
                ReadNote(
                    line,
                    "columns_joined",
                    f"{len(positions)} colonnes « {FIELDS[name].label} » ({listed}) réunies en "
                    "une seule adresse, dans l'ordre, séparées par « , » ; --map '#N=-' en "
                    "écarte une.",
                )
            )
        if self.owner_at is not None:
            notes.append(
                ReadNote(
                    line,
                    "owner_column_split",
                    f"Colonne « {self.header[self.owner_at]} » découpée en civilité, nom (les "
                    "mots en majuscules) et prénom, faute de colonnes séparées : vérifiez les "
                    "noms composés.",
                )
            )
        return notes

    def check(self, required: Sequence[str], mapping: Mapping[str, str], source: str) -> None:
        """Refuse a header that cannot be read as asked (ReadError, exit 2)."""
        found = [cell for cell in self.header if cell]
        found_text = ", ".join(f"« {cell} »" for cell in found) or "aucune"
        present = {normalise_header(cell) for cell in self.header}
        for key in mapping:
            if key.startswith("#"):
                if int(key[1:]) > len(self.header):
                    raise ReadError(
                        "bad_mapping",
                        f"--map : pas de colonne {key} dans {source}, qui en a "
                        f"{len(self.header)}. Colonnes trouvées : {found_text}.",
                        columns_found=found,
                    )
            elif key not in present:
                raise ReadError(
                    "bad_mapping",
                    f"--map : aucune colonne « {key} » dans {source}. Colonnes trouvées : "
                    f"{found_text}.",
                    columns_found=found,
                )
        if self.duplicates:
            first, second, name = self.duplicates[0]
            same = normalise_header(self.header[first]) == normalise_header(self.header[second])
            fix = position_key(second + 1) if same else self.header[second]
            raise ReadError(
                "ambiguous_columns",
                f"Les colonnes « {self.header[first]} » (n° {first + 1}) et "
                f"« {self.header[second]} » (n° {second + 1}) désignent toutes deux le champ "
                f"{name} ({FIELDS[name].label}) : écartez-en une avec --map '{fix}=-'.",
                columns_found=found,
            )
        names = set(self.index)
        if self.owner_at is not None:
            names.add("last_name")
        missing = [name for name in required if name not in names]
        if missing:
            described = "; ".join(
                f"{FIELDS[name].label} ({', '.join(a for a in FIELDS[name].aliases if a != name)})"
                for name in missing
            )
            raise ReadError(
                "missing_columns",
                f"Colonnes obligatoires absentes de {source} : {described}. Colonnes trouvées : "
                f"{found_text}. Indiquez la bonne colonne avec --map 'En-tête=champ' (ou "
                "'#N=champ' pour la N-ième colonne).",
                columns_found=found,
                columns_missing=missing,
            )
