"""The import reader: encodings, delimiters, header aliases, line errors; never a crash."""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from coproctl.importers.errors import ReadError
from coproctl.importers.fields import ALIASES, FIELDS, normalise_header
from coproctl.importers.reader import Table, parse_mapping, read_csv, read_file

# the two kinds of import as the pipeline declares them (services/importing), repeated here
# so that the reader's tests stand on the reader alone
_COMMON = (
    "identifiant",
    "owner_ref",
    "last_name",
    "first_name",
    "civility",
    "email",
    "copropriete",
    "copropriete_code",
    "lot",
    "address",
    "postal_code",
    "city",
)
ALLOWED = (*_COMMON, "password")
REQUIRED = ("identifiant", "owner_ref", "last_name")
LEGACY_ALLOWED = (*_COMMON, "password_hash", "salt")
LEGACY_REQUIRED = ("identifiant", "owner_ref", "last_name", "password_hash")

HEADER = ["Identifiant", "Mot de passe", "Réf. Copropriétaire", "Nom", "Prénom", "N° Lot"]
ROWS = [
    ["LEF001", "Initial-Aa11", "C0042", "Lefèvre", "Hélène", "12"],
    ["LEF001", "Initial-Aa11", "C0042", "Lefèvre", "Hélène", "14"],
    ["GAR002", "Initial-Bb22", "C0043", "Garçon", "Zoé", "3"],
    ["COE003", "Initial-Cc33", "C0044", "Cœurdevey", "Loïc", "7"],
    ["MUL004", "Initial-Dd44", "C0045", "Müller", "Gaëlle", "1,5"],
    ["BER005", "Initial-Ee55", "C0046", "Bérard", "Agnès", "2"],
]


def export(
    encoding: str = "utf-8",
    delimiter: str = ";",
    header: list[str] = HEADER,
    rows: list[list[str]] = ROWS,
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def read(data: bytes, **options: object) -> Table:
    return read_csv(data, allowed=ALLOWED, required=REQUIRED, **options)  # type: ignore[arg-type]


def values(table: Table) -> list[dict[str, str]]:
    return [row.values for row in table.rows]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_every_encoding_and_delimiter_reads_the_same(encoding: str, delimiter: str) -> None:
    table = read(export(encoding, delimiter))
    assert values(table) == values(read(export()))
    assert table.delimiter == delimiter
    names = {row.values["last_name"] for row in table.rows}
    assert {"Lefèvre", "Garçon", "Cœurdevey", "Müller", "Bérard"} <= names
    assert table.rows[4].values["lot"] == "1,5"  # a decimal comma, quoted by the writer
    assert not table.errors


def test_detected_encoding_is_reported() -> None:
    assert read(export("cp1252")).encoding == "windows-1252"
    assert read(export("utf-8-sig")).encoding == "utf-8-sig"
    assert read(export("utf-8")).encoding == "utf-8"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("N° Lot", "lot"),
        ("Nº lot", "lot"),
        ("NUMÉRO DE LOT", "lot"),
        ("Réf. Copropriétaire", "owner_ref"),
        ("ref_proprietaire", "owner_ref"),
        ("Code Internet", "identifiant"),
        ("E-mail", "email"),
        ("Adresse e-mail", "email"),
        ("Courriel", "email"),
        ("MDP", "password"),
        ("Civilité", "civility"),
        ("Prénom", "first_name"),
        ("Résidence", "copropriete"),
        ("Code postal", "postal_code"),
    ],
)
def test_header_aliases(header: str, field: str) -> None:
    assert ALIASES[normalise_header(header)] == field


def test_aliases_are_unambiguous() -> None:
    seen: dict[str, str] = {}
    for spec in FIELDS.values():
        for alias in spec.aliases:
            key = normalise_header(alias)
            assert seen.setdefault(key, spec.name) == spec.name, alias


def test_extra_columns_are_ignored_and_listed() -> None:
    header = [*HEADER, "Montant appelé", "Date d'échéance"]
    rows = [[*row, "1 234,56", "01/07/2026"] for row in ROWS]
    table = read(export(header=header, rows=rows))
    assert table.ignored == ["Montant appelé", "Date d'échéance"]
    assert values(table) == values(read(export()))


def test_title_lines_above_the_header_are_skipped() -> None:
    data = b"Appel de fonds 3e trimestre 2026\r\n\r\n" + export()
    table = read(data)
    assert values(table) == values(read(export()))
    assert table.rows[0].line == 4


def test_map_option_names_an_unknown_header() -> None:
    header = ["Code client web", *HEADER[1:]]
    with pytest.raises(ReadError) as refused:
        read(export(header=header))
    assert refused.value.code == "missing_columns"
    mapping = parse_mapping(["Code client web=identifiant"], ALLOWED)
    table = read(export(header=header), mapping=mapping)
    assert values(table) == values(read(export()))


def test_map_can_ignore_a_column_and_resolve_ambiguity() -> None:
    header = [*HEADER, "Lots"]
    rows = [[*row, "x"] for row in ROWS]
    with pytest.raises(ReadError) as refused:
        read(export(header=header, rows=rows))
    assert refused.value.code == "ambiguous_columns"
    table = read(export(header=header, rows=rows), mapping=parse_mapping(["Lots=-"], ALLOWED))
    assert table.rows[0].values["lot"] == "12"


@pytest.mark.parametrize("item", ["Header", "=identifiant", "Colonne=pas_un_champ", "X=hash"])
def test_bad_map_options_are_refused(item: str) -> None:
    with pytest.raises(ReadError) as refused:
        parse_mapping([item], ALLOWED)
    assert refused.value.code == "bad_mapping"


def test_map_of_a_header_the_file_lacks_is_refused() -> None:
    with pytest.raises(ReadError) as refused:
        read(export(), mapping=parse_mapping(["Absente=email"], ALLOWED))
    assert "Absente".lower() in refused.value.message.lower()


def test_missing_required_column_names_found_and_missing() -> None:
    header = ["Identifiant", "Mot de passe", "Nom du client", "Lot"]
    with pytest.raises(ReadError) as refused:
        read(export(header=header, rows=[["A1", "x", "Dupont", "1"]]))
    error = refused.value
    assert error.exit_code == 2
    assert error.code == "missing_columns"
    assert "« Nom du client »" in error.message
    assert "Référence propriétaire" in error.message
    assert "Nom (" in error.message
    assert error.details["columns_missing"] == ["owner_ref", "last_name"]
    assert error.details["columns_found"] == header


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"  \r\n\r\n", "empty_file"),
        (b"\x00\x01\x02binary", "unreadable_file"),
        (b"1;2;3\r\n4;5;6\r\n", "missing_columns"),  # no header at all
    ],
)
def test_unreadable_files_are_refused(data: bytes, code: str) -> None:
    with pytest.raises(ReadError) as refused:
        read(data)
    assert refused.value.code == code
    assert refused.value.exit_code == 2


def test_missing_file_and_folder(tmp_path: Path) -> None:
    for path, code in ((tmp_path / "absent.csv", "file_not_found"), (tmp_path, "unreadable_file")):
        with pytest.raises(ReadError) as refused:
            read_file(path, allowed=ALLOWED, required=REQUIRED)
        assert refused.value.code == code


def test_forced_encoding_and_delimiter() -> None:
    data = export("cp1252", "\t")
    assert values(read(data, encoding="cp1252", delimiter="\t")) == values(read(export()))
    with pytest.raises(ReadError) as refused:
        read(data, encoding="utf-8")
    assert refused.value.code == "bad_encoding"
    with pytest.raises(ReadError):
        read(data, encoding="pas-un-encodage")


def test_line_numbers_follow_the_file_through_blank_and_multiline_cells() -> None:
    rows = [
        ["A1", "pw-Aa11", "C1", "Dupont", "Jean", "1"],
        ["A2", "pw-Bb22", "C2", "Martin\nLebrun", "Anne", "2"],
        ["", "", "", "", "", ""],
        ["A3", "pw-Cc33", "C3", "Petit", "Léa", "3"],
    ]
    table = read(export(rows=rows))
    assert [row.line for row in table.rows] == [2, 3, 6]
    assert table.rows[1].values["last_name"] == "Martin Lebrun"  # blanks collapsed


def test_blanks_are_collapsed_alike_in_every_row() -> None:
    rows = [
        ["A1", "pw  Aa11", "C1", "Le\u00a0Clos", "Jean", "1"],
        ["A1", "pw  Aa11", "C1", "Le  Clos", "Jean", "2"],
        ["A1", "pw  Aa11", "C1", " Le Clos ", "Jean", "3"],
    ]
    table = read(export(rows=rows))
    assert {row.values["last_name"] for row in table.rows} == {"Le Clos"}
    assert {row.values["password"] for row in table.rows} == {"pw  Aa11"}  # kept as typed


def test_bad_lines_are_errors_and_the_others_go_on() -> None:
    rows = [
        ["", "pw-Aa11", "C1", "Dupont", "Jean", "1"],
        ["A2", "pw-Bb22", "C2", "Martin", "Anne", "2", "en trop"],
        ["A3", "pw-Cc33", "C3", "x" * 201, "Léa", "3"],
        ["A4", "pw-Dd44", "C4", "Petit", "Léa", "4"],
    ]
    table = read(export(rows=rows))
    assert [(e.line, e.identifiant) for e in table.errors] == [(2, None), (3, "A2"), (4, "A3")]
    assert "identifiant manquant" in table.errors[0].reason
    assert "7 valeurs pour 6 colonnes" in table.errors[1].reason
    assert "Nom" in table.errors[2].reason
    assert [row.values["identifiant"] for row in table.rows] == ["A4"]


def test_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "legacy.jsonl"
    path.write_text(
        '{"identifiant": "EXT1", "owner_ref": "L1", "last_name": "Noël", '
        '"password_hash": "$1$abc$def", "lots": ["1", 2]}\n'
        "\n"
        "pas du json\n"
        '["une", "liste"]\n'
        '{"identifiant": "EXT2", "owner_ref": {"x": 1}, "last_name": "B", "password_hash": "h"}\n',
        encoding="utf-8",
    )
    table = read_file(path, allowed=LEGACY_ALLOWED, required=LEGACY_REQUIRED)
    assert table.delimiter is None
    assert table.rows[0].values == {
        "identifiant": "EXT1",
        "owner_ref": "L1",
        "last_name": "Noël",
        "password_hash": "$1$abc$def",
        "lot": "1, 2",
    }
    assert [(e.line, e.identifiant) for e in table.errors] == [(3, None), (4, None), (5, "EXT2")]


def test_report_masks_secret_cells() -> None:
    table = read(export())
    assert table.secret_cells == frozenset({1})


# --- never anything but ReadError ----------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read_anything(data: bytes, **options: object) -> None:
    try:
        table = read(data, **options)
    except ReadError:
        return
    for row in table.rows:
        assert "identifiant" in row.values
        assert all(isinstance(v, str) and v for v in row.values.values())


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_reader(data: bytes) -> None:
    _read_anything(data)


@FUZZ
@given(st.binary(max_size=500), st.sampled_from(["utf-8", "cp1252", "utf-16", "latin-1"]))
def test_arbitrary_bytes_with_a_forced_encoding(data: bytes, encoding: str) -> None:
    _read_anything(data, encoding=encoding)


cell = st.text(max_size=30)
header_cell = st.one_of(
    st.sampled_from([a for f in FIELDS.values() for a in f.aliases]).map(str.title), cell
)


@FUZZ
@given(
    st.lists(header_cell, min_size=1, max_size=8),
    st.lists(st.lists(cell, max_size=10), max_size=15),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_arbitrary_csv_never_crashes_the_reader(
    header: list[str], rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    try:
        data = out.getvalue().encode(encoding)
    except UnicodeEncodeError:  # lone surrogates cannot be written in a file at all
        return
    _read_anything(data)


# --- valid headers, random cells: the rows themselves are checked (issue 13) ---------------

_TEXT = st.text(
    alphabet=st.sampled_from(list("abcdeéèçœÆÉZ019 -'.;,\"@=+")), max_size=40
)  # printable, delimiters and quotes the writer must quote, formula starts
_PLAIN = st.text(alphabet=st.sampled_from(list("abcéçœZ09 -'.\"")), max_size=30)
# a cell on two lines; the second holds no delimiter (many would read as a swallowed row)
_LINES = st.builds(lambda a, b: f"{a}\n{b}", _TEXT, _PLAIN)
_IDENTIFIANT = st.from_regex(r"[A-Z]{2,4}[0-9]{1,5}", fullmatch=True)
_ALIAS_OF = {name: [a for a in FIELDS[name].aliases if a != name] or [name] for name in ALLOWED}
_FILLER = st.from_regex(r"Colonne [A-Z][0-9]{1,2}", fullmatch=True)  # never an alias


@st.composite
def exports(draw: st.DrawFn) -> tuple[list[str], list[str], list[list[str]]]:
    """(fields, header, rows): every required field and some others, under random aliases
    in random order and case, filler columns, and rows of random cells."""
    optional = [name for name in ALLOWED if name not in REQUIRED]
    fields = [*REQUIRED, *draw(st.lists(st.sampled_from(optional), unique=True, max_size=6))]
    fillers = draw(st.lists(_FILLER, unique=True, max_size=3))
    columns = draw(st.permutations([*fields, *fillers]))
    case = draw(st.sampled_from([str.title, str.upper, str.lower, str]))
    header = [case(draw(st.sampled_from(_ALIAS_OF[c]))) if c in FIELDS else c for c in columns]
    multiline = draw(st.sampled_from([None, *[c for c in columns if c != "password"]]))
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        row = []
        for column in columns:
            if column == "identifiant":
                row.append(draw(_IDENTIFIANT))
            elif column == multiline:
                row.append(draw(st.one_of(_TEXT, _LINES)))
            else:
                row.append(draw(st.one_of(_TEXT, st.just("NULL"))))
        rows.append(row)
    return columns, header, rows


def _expected(columns: list[str], row: list[str]) -> tuple[dict[str, str], bool]:
    """(values, too long) as the reader must see ``row``: NULL empty, blanks collapsed
    (a password only stripped), empty cells absent."""
    values = {}
    for column, raw in zip(columns, row, strict=True):
        if column not in FIELDS or raw == "NULL":
            continue
        value = raw.strip() if column == "password" else " ".join(raw.split())
        if value:
            values[column] = value
    too_long = any(len(v) > FIELDS[k].max_length for k, v in values.items())
    return values, too_long


@FUZZ
@given(
    exports(),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from([("utf-8", None), ("utf-8-sig", None), ("utf-16", None), ("cp1252", "cp1252")]),
)
def test_valid_headers_with_random_cells_give_their_rows(
    export_: tuple[list[str], list[str], list[list[str]]],
    delimiter: str,
    codec: tuple[str, str | None],
) -> None:
    columns, header, rows = export_
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    table = read(out.getvalue().encode(codec[0]), encoding=codec[1])
    assert table.delimiter == delimiter
    assert table.header == header
    line = 2
    expected_rows, expected_errors = [], []
    for row in rows:
        values, too_long = _expected(columns, row)
        (expected_errors if too_long else expected_rows).append((line, values))
        line += 1 + sum(cell.count("\n") for cell in row)
    event(f"rows read: {'some' if table.rows else 'none'}")
    event(f"rows on two lines: {'some' if line - 2 > len(rows) else 'none'}")
    event(f"line errors: {'some' if expected_errors else 'none'}")
    assert [(row.line, row.values) for row in table.rows] == expected_rows
    assert [(error.line, error.identifiant) for error in table.errors] == [
        (at, values["identifiant"]) for at, values in expected_errors
    ]
    codes = {note.code for note in table.notes}
    assert codes <= {
        "null_cells",
        "postal_code_4_digits",
        "lot_read_as_date",
        "password_scientific",
        "password_decimal_comma",
    }
    read_nulls = any(
        cell == "NULL"
        for row in rows
        for column, cell in zip(columns, row, strict=True)
        if column in FIELDS
    )
    assert ("null_cells" in codes) == read_nulls, "a NULL cell in a column read is said once"


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=40), st.binary(max_size=40).map(repr)), max_size=10))
def test_arbitrary_json_lines_never_crash_the_reader(lines: list[str]) -> None:
    text = "\n".join(["{" + line for line in lines])
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    from coproctl.importers.reader import read_json_lines

    with contextlib.suppress(ReadError):
        read_json_lines(data.decode("utf-8"), "utf-8", LEGACY_ALLOWED, LEGACY_REQUIRED, {}, "x")


# --- issue 10: totals, stray quotes, owner column, --map by position, NULL, legacy aliases --


@pytest.mark.parametrize(
    "word", ["Total", "TOTAUX", "sous-total", "Sous total résidence", "Total :"]
)
@pytest.mark.parametrize("blank_before", [True, False])
@pytest.mark.parametrize("column", [0, 3])  # in the identifiant column, or further right
def test_totals_lines_are_skipped_with_a_note(word: str, blank_before: bool, column: int) -> None:
    totals = [""] * len(HEADER)
    totals[column] = word
    totals[-1] = "2176"
    rows = [*ROWS[:3], *([[""] * len(HEADER)] if blank_before else []), totals]
    table = read(export(rows=rows))
    assert not table.errors
    assert len(table.rows) == 3
    line = 6 if blank_before else 5
    assert [(n.line, n.code, n.message) for n in table.notes] == [
        (line, "totals_line", f"ligne de totaux « {word} » ignorée.")
    ]


def test_a_row_with_an_owner_is_never_a_totals_line() -> None:
    rows = [["Total", "pw-Aa11", "C1", "Dupont", "Jean", "1"]]  # an identifiant "Total"
    table = read(export(rows=rows))
    assert [row.values["identifiant"] for row in table.rows] == ["Total"]
    assert not table.notes


def _unquoted(*lines: str) -> bytes:
    return "\r\n".join(lines).encode() + b"\r\n"


UNQUOTED_HEADER = "Identifiant;Mot de passe;Réf. copropriétaire;Nom;Prénom;Lot"


def test_stray_quote_that_never_closes() -> None:
    data = _unquoted(
        UNQUOTED_HEADER,
        "A1;pw-Aa11;C1;Dupont;Jean;1",
        'A2;pw-Bb22;C2;"Martin;Anne;2',
        "A3;pw-Cc33;C3;Petit;Léa;3",
        "A4;pw-Dd44;C4;Roux;Théo;4",
    )
    with pytest.raises(ReadError) as refused:
        read(data)
    assert refused.value.code == "stray_quote"
    assert refused.value.message.startswith("Ligne 3 : un guillemet")
    assert "pw-Cc33" not in refused.value.message


def test_stray_quote_closed_by_a_later_quote_mid_row() -> None:
    data = _unquoted(
        UNQUOTED_HEADER,
        'A1;pw-Aa11;C1;"Dupont;Jean;1',
        "A2;pw-Bb22;C2;Martin;Anne;2",
        'A3;pw-Cc33;C3;Petit "le grand";Léa;3',
        "A4;pw-Dd44;C4;Roux;Théo;4",
    )
    with pytest.raises(ReadError) as refused:
        read(data)
    assert refused.value.details["line"] == 2


def test_stray_quote_beyond_the_parser_cell_limit() -> None:
    rows = "".join(f"A{i};pw-{i:05d}Aa;C{i};Nom{i};Jean;{i}\r\n" for i in range(4000))
    data = (UNQUOTED_HEADER + '\r\nB1;pw-Bb22;C2;"Martin;Anne;2\r\n' + rows).encode()
    with pytest.raises(ReadError) as refused:
        read(data)
    assert (refused.value.code, refused.value.details["line"]) == ("stray_quote", 2)


def test_quoted_cells_on_several_lines_are_fine() -> None:
    rows = [
        ["A1", "pw-Aa11", "C1", "Dupont", "Jean", "1"],
        ["A2", "pw-Bb22", "C2", "Martin\nLebrun", "Anne", "2"],
        ["A3", "pw-Cc33", "C3", "Petit", "Léa\nMarie", "3"],
    ]
    table = read(export(rows=rows))
    assert [row.line for row in table.rows] == [2, 3, 5]


def test_many_lines_inside_one_cell_are_refused() -> None:
    rows = [["A1", "pw-Aa11", "C1", "Dupont" + "\nligne" * 9, "Jean", "1"]]
    with pytest.raises(ReadError) as refused:
        read(export(rows=rows))
    assert refused.value.code == "stray_quote"


OWNER_HEADER = ["Identifiant", "Mot de passe", "Réf. copropriétaire", "Copropriétaire", "Lot"]


@pytest.mark.parametrize(
    ("owner", "civility", "last_name", "first_name"),
    [
        ("Mme LEFÈVRE Hélène", "Mme", "LEFÈVRE", "Hélène"),
        ("M. et Mme DE LA TOUR Jean-Pierre", "M. et Mme", "DE LA TOUR", "Jean-Pierre"),
        ("Monsieur D'ARTAGNAN Charles", "Monsieur", "D'ARTAGNAN", "Charles"),
        ("Hélène LEFÈVRE-DURAND", None, "LEFÈVRE-DURAND", "Hélène"),
        ("SCI LES TILLEULS", None, "SCI LES TILLEULS", None),
        ("Mlle  NOËL   Zoé ", "Mlle", "NOËL", "Zoé"),
    ],
)
def test_one_owner_column_is_split(
    owner: str, civility: str | None, last_name: str, first_name: str | None
) -> None:
    table = read(export(header=OWNER_HEADER, rows=[["A1", "pw-Aa11", "C1", owner, "1"]]))
    values = table.rows[0].values
    assert (values.get("civility"), values["last_name"], values.get("first_name")) == (
        civility,
        last_name,
        first_name,
    )
    assert [n.code for n in table.notes] == ["owner_column_split"]


def test_an_owner_without_capitals_is_kept_whole_and_said() -> None:
    table = read(
        export(header=OWNER_HEADER, rows=[["A1", "pw-Aa11", "C1", "Mme Lefèvre Hélène", "1"]])
    )
    assert table.rows[0].values["last_name"] == "Lefèvre Hélène"
    assert (table.notes[1].line, table.notes[1].code, table.notes[1].message) == (
        2,
        "owner_not_split",
        "« Mme Lefèvre Hélène » : aucun nom en majuscules, tout est pris comme nom (prénom vide) ; "
        "vérifiez-le.",
    )


def test_separate_name_columns_win_over_the_owner_column() -> None:
    header = [*OWNER_HEADER, "Nom"]
    table = read(
        export(header=header, rows=[["A1", "pw", "C1", "Mme LEFÈVRE Hélène", "1", "Lefèvre"]])
    )
    assert table.rows[0].values["last_name"] == "Lefèvre"
    assert "first_name" not in table.rows[0].values
    assert table.ignored == ["Copropriétaire"]
    assert not table.notes


@pytest.mark.parametrize("item", ["#0=address", "#x=address", "#=address", "#-1=address"])
def test_bad_positions_in_map_are_refused(item: str) -> None:
    with pytest.raises(ReadError) as refused:
        parse_mapping([item], ALLOWED)
    assert refused.value.code == "bad_mapping"


def test_map_by_position_beyond_the_header_is_refused() -> None:
    with pytest.raises(ReadError) as refused:
        read(export(), mapping=parse_mapping(["#9=email"], ALLOWED))
    assert refused.value.message.startswith("--map : pas de colonne #9 dans <données>, qui en a 6.")


def test_map_by_position_names_a_column() -> None:
    header = [*HEADER[:5], "Numéro"]
    table = read(export(header=header), mapping=parse_mapping(["#6=lot"], ALLOWED))
    assert table.rows[0].values["lot"] == "12"
    assert table.columns["lot"] == "Numéro"


def test_twin_headers_of_another_field_suggest_a_position() -> None:
    header = [*HEADER, "Nom"]
    rows = [[*row, "x"] for row in ROWS]
    with pytest.raises(ReadError) as refused:
        read(export(header=header, rows=rows))
    assert refused.value.message == (
        "Les colonnes « Nom » (n° 4) et « Nom » (n° 7) désignent toutes deux le champ last_name "
        "(Nom) : écartez-en une avec --map '#7=-'."
    )


def test_null_cells_are_empty_in_every_import() -> None:
    rows = [
        ["A1", "pw-Aa11", "C1", "Dupont", "NULL", "NULL"],
        ["A2", "NULL", "C2", "Roux", "Léa", "2"],
    ]
    table = read(export(rows=rows))
    assert table.rows[0].values == {
        "identifiant": "A1",
        "password": "pw-Aa11",
        "owner_ref": "C1",
        "last_name": "Dupont",
    }
    assert "password" not in table.rows[1].values
    assert [(n.line, n.code) for n in table.notes] == [(2, "null_cells")]


@pytest.mark.parametrize(
    "header", ["password", "pass", "passwd", "mdp", "mot_de_passe", "Mot de passe"]
)
def test_legacy_hash_column_aliases(header: str) -> None:
    data = export(
        header=["login", header, "ref_proprietaire", "nom"], rows=[["u1", "$1$x$y", "L1", "Noël"]]
    )
    table = read_csv(data, allowed=LEGACY_ALLOWED, required=LEGACY_REQUIRED)
    assert table.rows[0].values["password_hash"] == "$1$x$y"
    assert table.columns["password_hash"] == header


def test_pass_is_no_alias_in_a_calls_for_funds_import() -> None:
    table = read(export(header=[*HEADER[:1], "pass", *HEADER[2:]]))
    assert "password" not in table.columns
    assert table.ignored == ["pass"]


def test_far_fewer_records_than_lines_is_refused() -> None:
    """No single cell is long nor holds a row, but records average 6 lines each."""
    rows = [[f"A{i}", "pw-Aa11", f"C{i}", "Dupont" + "\nsuite" * 5, "Jean", "1"] for i in range(5)]
    with pytest.raises(ReadError) as refused:
        read(export(rows=rows))
    assert (refused.value.code, refused.value.details["line"]) == ("stray_quote", 2)
    two_lines = [[f"A{i}", "pw-Aa11", f"C{i}", "Bât B\n12 rue X", "Jean", "1"] for i in range(5)]
    assert len(read(export(rows=two_lines)).rows) == 5  # every address on two lines: fine


def test_a_short_row_in_error_names_no_identifiant_a_secret_could_have_reached() -> None:
    """The row lacks its first cell: every cell sits one column left, the password under
    "Identifiant"; it is rejected (a value too long) and the rejection must not name it."""
    header = ["Nom", "Identifiant", "Mot de passe", "Réf. copropriétaire", "Prénom"]
    table = read(export(header=header, rows=[["A1", "Kx7-Initial", "C9", "x" * 300]]))
    [error] = table.errors
    assert error.identifiant is None
    assert "Kx7-Initial" not in error.reason
    masked = read(export(header=header, rows=[["Dupont", "A1", "pw", "C1", "Léa" * 100]]))
    assert masked.errors[0].identifiant == "A1"  # a full row: its identifiant is its own
    assert masked.secret_cells == frozenset({2})
