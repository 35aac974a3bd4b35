"""Regenerate the export files of this folder, each the way the program it names writes it.

    python tests/data/exports/make_exports.py

CSV files are written byte by byte (codec, delimiter, quoting, line ends, number and date
formats as the program writes them); workbooks with the libraries that write those formats:
openpyxl (``.xlsx``), odfpy (``.ods``, the OpenDocument library), xlwt (``.xls``, BIFF8),
with typed date and number cells. Those three are needed only here, not by coproctl or its
tests: ``pip install openpyxl odfpy xlwt``. README.md lists each file, its source and what
the reader must make of it; the tests read the committed files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent
NBSP = "\u00a0"
PHP_MANUAL_BCRYPT = "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a"  # rasmuslerdorf


def write(name: str, lines: list[str], *, encoding: str, newline: str) -> None:
    (HERE / name).write_bytes(newline.join(lines).encode(encoding) + newline.encode(encoding))


def eur(amount: str) -> str:
    """An amount as French Excel shows ``# ##0,00 €``: non-breaking spaces."""
    return amount.replace(" ", NBSP) + NBSP + "€"


def excel_windows_totals() -> None:
    """Excel 2019, Windows, French locale: "CSV (séparateur : point-virgule)" — Windows-1252,
    CRLF, nothing quoted, dates dd/mm/yyyy, amounts with a decimal comma and non-breaking
    spaces, a sub-total per residence and a total after an empty row."""
    lines = [
        "Identifiant;Mot de passe;Réf. copropriétaire;Civilité;Nom;Prénom;Résidence;N° lot;"
        "Tantièmes;Échéance;Montant appelé",
        f"LEF001;Kp7-mWq2;C0042;Mme;Lefèvre;Hélène;Tilleuls;12;412;01/10/2026;{eur('1 234,56')}",
        f"LEF001;Kp7-mWq2;C0042;Mme;Lefèvre;Hélène;Tilleuls;14;38;01/10/2026;{eur('113,86')}",
        f"GAR002;Zt4-Hr8e;C0043;M.;Garçon;Loïc;Tilleuls;3;520;01/10/2026;{eur('1 558,44')}",
        f"Sous-total Tilleuls;;;;;;;;970;;{eur('2 906,86')}",
        f"COE003;Bn5-Yx3q;C0044;Mme;Cœurdevey;Zoé;Clos Fleuri;7;610;01/10/2026;{eur('4 511,20')}",
        f"MUL004;Wd9-Lc6v;C0045;M.;Müller;Jürgen;Clos Fleuri;1;596;01/10/2026;{eur('4 407,68')}",
        f"BER005;Fs2-Qa7n;C0046;Mme;Bérard;Agnès;Clos Fleuri;2;610;01/10/2026;{eur('3 371,50')}",
        f"Sous-total Clos Fleuri;;;;;;;;1816;;{eur('12 290,38')}",
        ";;;;;;;;;;",
        f"TOTAL;;;;;;;;2786;;{eur('15 197,24')}",
    ]
    write("excel_windows_totals.csv", lines, encoding="cp1252", newline="\r\n")


def excel_windows_roundtrip() -> None:
    """Excel 2019, Windows, French locale, after a round trip: the file was opened in Excel
    and saved again as CSV, so 06000 became 6000, the lot 1-2 became 01-févr, the password
    1E5 became 1,00E+05 and the password 3.14159265 became 3,14159265."""
    lines = [
        "Identifiant;Mot de passe;Réf. copropriétaire;Nom;Prénom;N° lot;Code postal;Ville",
        "NIC001;Xr7-pLm4;C0101;Rossi;Giulia;4;6000;Nice",
        "NIC002;Hq3-tVb8;C0102;Baudin;Marc;01-févr;6100;Nice",
        "NIC003;1,00E+05;C0103;Ferrand;Lucie;9;75011;Paris",
        "NIC004;3,14159265;C0104;Aubert;Paul;11;13001;Marseille",
    ]
    write("excel_windows_roundtrip.csv", lines, encoding="cp1252", newline="\r\n")


def libreoffice_quoted() -> None:
    """LibreOffice Calc 7.6, "Texte CSV": UTF-8 without BOM, ',' and '"', "Quote all text
    cells" ticked (numbers stay bare), LF; one address on two lines inside its quotes."""
    lines = [
        '"Identifiant","Mot de passe","Réf. copropriétaire","Nom","Prénom","Lot","Adresse",'
        '"Code postal","Ville"',
        '"LYO001","Tg6-Wn2r","C0201","Noël","Gaëlle",5,"Bâtiment B\n12 rue des Lilas",'
        '"69003","Lyon"',
        '"LYO002","Pm8-Ck4s","C0202","D\'Artagnan","Éloïse",6,"4, place Bellecour","69002","Lyon"',
        '"LYO003","Vb2-Jd9h","C0203","Œuvray","Ludovic",7,"8 quai Saint-Vincent","69001","Lyon"',
    ]
    write("libreoffice_quoted.csv", lines, encoding="utf-8", newline="\n")


def excel_mac_roman() -> None:
    """Excel 2011 for Mac, French locale, "CSV (séparateur : point-virgule)": Mac Roman,
    CR line ends (classic Mac), nothing quoted. Its letters are all ones Windows-1252 also
    decodes (to Ÿ, Ž, ƒ...): read as Windows-1252 it gives mojibake without an error."""
    lines = [
        "Identifiant;Mot de passe;Réf. copropriétaire;Nom;Prénom;Résidence;Lot;Ville",
        "MAC001;Qe4-Rt7y;C0301;Müller;Jürgen;Résidence du Parc;3;Saint-Éloi",
        "MAC002;Lk8-Po2w;C0302;Cœurdevey;Noël;Résidence du Parc;4;Saint-Éloi",
        "MAC003;Zu5-Ma3x;C0303;Lemaître;Bénédicte;Résidence du Parc;8;Montréal-la-Cluse",
    ]
    write("excel_mac_roman.csv", lines, encoding="mac-roman", newline="\r")


def property_management() -> None:
    """A property-management program's "export copropriétaires" on a Unix server:
    ISO-8859-15 (for the €), ';', LF, three columns all named Adresse, the owner in one
    column (civility, LAST NAME, first name)."""
    lines = [
        "Code extranet;Mot de passe internet;Compte copropriétaire;Copropriétaire;Adresse;"
        "Adresse;Adresse;Code postal;Ville;Immeuble;Lots;Solde",
        "GES001;Ha4-Kz9p;4110001;Mme LEFÈVRE Hélène;Bâtiment A;Escalier 2;3 rue de la Paix;"
        "75002;Paris;Le Parc Monceau;12;1 250,00 €",
        "GES002;Rb7-Xq2m;4110002;M. et Mme CŒURDEVEY Loïc;;;18 avenue Foch;75116;Paris;"
        "Le Parc Monceau;14;-312,40 €",
        "GES003;Wy3-Nv8d;4110003;SCI LES TILLEULS;Chez M. Dupré;;7 bd Haussmann;75009;Paris;"
        "Le Parc Monceau;15;0,00 €",
        "GES004;Tc6-Fm5j;4110004;Jürgen MÜLLER;;;22 rue d'Alsace;67000;Strasbourg;"
        "Le Parc Monceau;16;86,00 €",
    ]
    write("property_management_latin9.csv", lines, encoding="iso8859-15", newline="\n")


def phpmyadmin_users() -> None:
    """phpMyAdmin 5.2, Export > CSV of an extranet's users table: ',' separated, '"'
    enclosed, NULL written bare for empty cells, column names in the first line, LF.
    The hash is the PHP manual's password_verify() example (password "rasmuslerdorf")."""
    lines = [
        '"id","login","email","password","nom","prenom","ref_proprietaire"',
        f'"1","jdupont","jean.dupont@example.com","{PHP_MANUAL_BCRYPT}","Dupont","Jean","L001"',
        f'"2","mmartin",NULL,"{PHP_MANUAL_BCRYPT}","Martin",NULL,"L002"',
        '"3","pdurand","paul.durand@example.com",NULL,"Durand","Paul","L003"',
    ]
    write("phpmyadmin_users.csv", lines, encoding="utf-8", newline="\n")


def phpmyadmin_salt() -> None:
    """phpMyAdmin 5.2, CSV export of a Joomla 1.5 users table whose hash was split in two
    columns, md5(password + salt) and the salt (same CSV options as above)."""
    import hashlib

    rows = [("1", "acolin", "Colin", "Annie", "L101", "s3cr3tPassw0rd", "Xy9aBc12QrStUvWx")]
    lines = ['"id","login","nom","prenom","ref_proprietaire","password","salt"']
    for ident, login, nom, prenom, ref, password, salt in rows:
        digest = hashlib.md5((password + salt).encode()).hexdigest()  # noqa: S324 (legacy)
        lines.append(f'"{ident}","{login}","{nom}","{prenom}","{ref}","{digest}","{salt}"')
    write("phpmyadmin_joomla_salt.csv", lines, encoding="utf-8", newline="\n")


def stray_quote() -> None:
    """Excel 2019, Windows, French locale (as above): someone typed "Le Clos des Vignes with
    a leading quote in the residence of line 3; Excel writes it as is, unquoted."""
    lines = [
        "Identifiant;Mot de passe;Réf. copropriétaire;Nom;Prénom;Résidence;N° lot",
        "VIG001;Mk3-Ts8q;C0401;Perrin;Claire;Le Clos des Vignes;1",
        'VIG002;Jb6-Rw2e;C0402;Masson;Hugo;"Le Clos des Vignes;2',
        "VIG003;Cn9-Lx4v;C0403;Roussel;Inès;Le Clos des Vignes;3",
        "VIG004;Ep2-Gz7k;C0404;Fabre;Théo;Le Clos des Vignes;4",
    ]
    write("excel_windows_stray_quote.csv", lines, encoding="cp1252", newline="\r\n")


def extra_semicolon() -> None:
    """Excel 2019, Windows, French locale (as above): a name holding ';' typed in a tool
    that does not quote, so one row has a cell too many and its password sits one column
    to the right of the password column."""
    lines = [
        "Identifiant;Réf. copropriétaire;Nom;Prénom;Mot de passe;Ville",
        "SEM001;C0501;Lambert;Julie;Ua7-Ow3p;Lyon",
        "SEM002;C0502;Martin; fils;Jean;Kx7-InitialPwd;Lyon",
        "SEM003;C0503;Girard;Léa;Yt5-Hs9c;Lyon",
    ]
    write("excel_windows_extra_semicolon.csv", lines, encoding="cp1252", newline="\r\n")


def mixed_mac_windows() -> None:
    """Two exports pasted together: the first rows written by Excel for Windows
    (Windows-1252), the last by Excel for Mac (Mac Roman): no single encoding reads both."""
    head = "Identifiant;Mot de passe;Ref proprietaire;Nom;Prenom;Lot\r\n"  # unaccented
    windows = "MIX001;Ab3-Cd4e;C0601;Brunet;René;1\r\n"
    mac = "MIX002;Fg5-Hi6j;C0602;Müller;Anna;2\r\n"
    data = head.encode("ascii") + windows.encode("cp1252") + mac.encode("mac-roman")
    (HERE / "mixed_windows_mac.csv").write_bytes(data)


def formula_cells() -> None:
    """LibreOffice Calc 7.6 "Texte CSV" (as above) of rows a hostile or careless hand typed:
    cells starting with = + - @ tab or CR (OWASP's CSV-injection payloads); no owner
    reference, so every row is rejected and lands in the --report file."""
    lines = [
        '"Identifiant","Mot de passe","Réf. copropriétaire","Nom","Prénom"',
        '"INJ001","Ab1-Cd2e","","=HYPERLINK(""http://example.com/x"";""clic"")","Anne"',
        '"INJ002","Fg3-Hi4j","","+33 6 12 34 56 78","Bruno"',
        '"INJ003","Kl5-Mn6o","","-2+3+cmd|\' /C calc\'!A0","Chloé"',
        '"INJ004","Pq7-Rs8t","","@SUM(1+1)*cmd|\' /C calc\'!A0","David"',
        '"INJ005","Uv9-Wx0y","","\tTabulé","Emma"',
        '"INJ006","Za1-Bc2d","","\rRetour","Farid"',
    ]
    write("formula_cells.csv", lines, encoding="utf-8", newline="\n")


# --- workbooks ---------------------------------------------------------------------------

WORKBOOK_HEADER = [
    "Identifiant",
    "Mot de passe",
    "Réf. copropriétaire",
    "Nom",
    "Prénom",
    "N° lot",
    "Code postal",
    "Ville",
    "Échéance",
    "Montant appelé",
]


def xlsx() -> None:
    """An .xlsx as Excel types what is typed in it, written with openpyxl 3.1: a title row,
    dates and amounts as typed cells, a postal code typed as the number 6000 (shown
    06000 by its format), another kept as text, a lot Excel made a date, a password it
    made a number; a second sheet with the previous quarter."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Appel T4 2026"
    sheet.append(["Appel de fonds du 4e trimestre 2026"])
    sheet.append([])
    sheet.append(WORKBOOK_HEADER)
    due = dt.date(2026, 10, 1)
    sheet.append(["XL001", "Gh4-Jk8l", "C0701", "Lefèvre", "Hélène", 12, "06000", "Nice", due])
    sheet.append(["XL001", "Gh4-Jk8l", "C0701", "Lefèvre", "Hélène", 14, "06000", "Nice", due])
    sheet.append(["XL002", "Mn2-Bv6c", "C0702", "Garçon", "Loïc", 3, 6000, "Nice", due, 1234.56])
    lot_as_date = dt.date(2026, 2, 1)  # typed 1-2
    sheet.append(["XL003", 31415926535, "C0703", "Cœurdevey", "Zoé", lot_as_date, 75011, "Paris"])
    sheet["I7"] = due
    sheet["G6"].number_format = "00000"  # Excel shows 06000, the cell holds 6000
    sheet["B7"].number_format = "0.00E+00"  # shown 3,14E+10
    sheet["F7"].number_format = "d-mmm"  # typed 1-2: shown 01-févr
    for row in range(4, 8):
        sheet.cell(row, 9).number_format = "dd/mm/yyyy"
    sheet["J6"].number_format = '#,##0.00 "€"'
    previous = book.create_sheet("Appel T3 2026")
    previous.append(WORKBOOK_HEADER)
    previous.append(["XL009", "Qw3-Er5t", "C0709", "Noël", "Ève", 7, "75004", "Paris"])
    book.save(HERE / "excel_workbook.xlsx")


def xlsx_cover() -> None:
    """An .xlsx whose first sheet, a cover page, was left empty (openpyxl 3.1)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Couverture"
    sheet = book.create_sheet("Appel T4 2026")
    sheet.append(WORKBOOK_HEADER)
    sheet.append(["CV001", "Lm5-Nb8v", "C0751", "Perrin", "Claire", 2, "38000", "Grenoble"])
    book.save(HERE / "excel_cover_sheet.xlsx")


def ods() -> None:
    """An .ods as LibreOffice Calc stores typed cells (office:value-type float and date),
    written with odfpy 1.4."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Appel T4 2026")

    def cell(value: object) -> TableCell:
        if isinstance(value, dt.date):
            made = TableCell(valuetype="date", datevalue=value.isoformat())
            made.addElement(P(text=value.strftime("%d/%m/%Y")))
        elif isinstance(value, int | float):
            made = TableCell(valuetype="float", value=str(value))
            made.addElement(P(text=str(value).replace(".", ",")))
        else:
            made = TableCell(valuetype="string")
            made.addElement(P(text=str(value)))
        return made

    due = dt.date(2026, 10, 1)
    for values in (
        WORKBOOK_HEADER,
        ["OD001", "Tz8-Ux2w", "C0801", "Bérard", "Agnès", 21, "69003", "Lyon", due, 980.5],
        ["OD002", "Ys4-Ip6o", "C0802", "Noël", "Gaëlle", 22.0, 6000, "Nice", due, 12.0],
    ):
        row = TableRow()
        for value in values:
            row.addElement(cell(value))
        table.addElement(row)
    document.spreadsheet.addElement(table)
    document.save(str(HERE / "libreoffice.ods"))


def xls() -> None:
    """An .xls (Excel 97-2003, BIFF8) with typed number and date cells, written with xlwt."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Appel T4 2026")
    date_style = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    due = dt.datetime(2026, 10, 1)
    rows = [
        WORKBOOK_HEADER,
        ["XS001", "Ko9-Lp3m", "C0901", "Müller", "Jürgen", 31, "67000", "Strasbourg", due, 75.2],
        ["XS002", "Nb7-Vc1x", "C0902", "Lefèvre", "Hélène", 32, 6000, "Nice", due, 1200],
    ]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if isinstance(value, dt.datetime):
                sheet.write(r, c, value, date_style)
            else:
                sheet.write(r, c, value)
    book.save(str(HERE / "excel97.xls"))


def main() -> None:
    excel_windows_totals()
    excel_windows_roundtrip()
    libreoffice_quoted()
    excel_mac_roman()
    property_management()
    phpmyadmin_users()
    phpmyadmin_salt()
    stray_quote()
    extra_semicolon()
    mixed_mac_windows()
    formula_cells()
    xlsx()
    xlsx_cover()
    ods()
    xls()


if __name__ == "__main__":
    main()
