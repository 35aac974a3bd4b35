"""Generate the sample files: a quarter's call-for-funds export, and legacy extranet accounts.

The export looks like what the accounting software gives staff: one row per lot, French
headers, Windows-1252 and ``;`` by default, decimal commas, dd/mm/yyyy dates, owners who
hold accounts in two copropriétés, and (unless ``--no-bad-rows``) a few bad rows that show
the error report. The same seed gives the same file, so the committed samples can be made
again, and a benchmark can make 100,000 accounts:

    python sample_data/generate.py                  # both files, in the current folder
    python sample_data/generate.py --samples        # remake the tracked samples in sample_data/
    python sample_data/generate.py --accounts 100000 --no-bad-rows --out /tmp/big.csv
    python sample_data/generate.py --encoding utf-8-sig --delimiter tab --out /tmp/x.csv

Nothing tracked is overwritten unless ``--samples`` says so. The initial password of every
generated account is in the export (that is what the syndic prints on the letters); the
legacy file's passwords follow :func:`legacy_password` (``Extranet-EXT00001-2019``).
``sample_data/README.md`` lists the rows that fail on purpose.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE_EXPORT = HERE / "appel-de-fonds-2026-T3.csv"
SAMPLE_LEGACY = HERE / "anciens-comptes.jsonl"

HEADER = [
    "Code copropriété",
    "Copropriété",
    "N° lot",
    "Réf. copropriétaire",
    "Civilité",
    "Nom",
    "Prénom",
    "Adresse",
    "Code postal",
    "Ville",
    "Courriel",
    "Identifiant internet",
    "Mot de passe internet",
    "Date d'échéance",
    "Libellé",
    "Tantièmes",
    "Montant appelé",
]

COPROPRIETES = [
    ("TIL", "Les Tilleuls", "13008", "Marseille"),
    ("PAR", "Résidence du Parc", "69003", "Lyon"),
    ("ELO", "Le Clos Saint-Éloi", "13100", "Aix-en-Provence"),
    ("ECL", "Les Jardins de l'Écluse", "25000", "Besançon"),
    ("BEL", "Le Belvédère", "06000", "Nice"),
    ("CŒU", "Villa Cœur de Ville", "34000", "Montpellier"),
    ("FON", "La Fontaine aux Grès", "77300", "Fontainebleau"),
    ("PIN", "Les Pins Parasols", "83000", "Toulon"),
]
LAST_NAMES = [
    "Lefèvre", "Dupont", "Bérard", "Fournier", "Lemaître", "Gauthier", "Cœurdevey", "Müller",
    "Garçon", "Lebœuf", "Hervé", "Génin", "Séguin", "Brûlé", "Noël", "Besançon", "Mercier",
    "Rousseau", "Chevalier", "Faure", "André", "Barbier", "Giraud", "Perrin", "Hémon",
    "Dubœuf", "Schœlcher", "Désiré", "Lagüe", "Ménard", "Thévenin", "Vérité", "Baptiste",
]  # fmt: skip
FIRST_NAMES = [
    ("Mme", "Hélène"), ("M.", "François"), ("Mme", "Zoé"), ("M.", "Jérôme"), ("Mme", "Gaëlle"),
    ("Mme", "Anaïs"), ("M.", "Benoît"), ("Mme", "Chloé"), ("M.", "Loïc"), ("Mme", "Renée"),
    ("M.", "Raphaël"), ("Mme", "Maëlys"), ("M.", "Noël"), ("Mme", "Françoise"), ("M.", "Gérard"),
    ("Mme", "Agnès"), ("M.", "Stéphane"), ("Mme", "Élodie"), ("M.", "Joël"), ("Mme", "Béatrice"),
]  # fmt: skip
STREETS = [
    "rue de la République", "boulevard Chave", "avenue Jean-Jaurès", "place de l'Église",
    "chemin des Écoliers", "rue du Général-de-Gaulle", "impasse des Mûriers", "quai Vauban",
]  # fmt: skip
DOMAINS = ["orange.fr", "wanadoo.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr", "yahoo.fr"]
COMPANIES = ["SCI Les Mûriers", "SCI Pâquerette", "SARL Hôtel du Marché"]
DUE = "01/07/2026"
LABEL = "Appel de fonds 3e trimestre 2026"
LETTERS_AND_DIGITS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

LEGACY_SCHEMES = [
    "md5_crypt",
    "sha256_crypt",
    "sha512_crypt",
    "bcrypt",
    "ldap_salted_sha1",
    "django_pbkdf2_sha256",
    "hex_md5",
    "hex_sha1",
]
# the old extranet's own cost settings: cheap, as such systems used to be
LEGACY_SETTINGS = {
    "sha256_crypt": {"rounds": 5000},
    "sha512_crypt": {"rounds": 5000},
    "bcrypt": {"rounds": 10},
    "django_pbkdf2_sha256": {"rounds": 20000},
}


def legacy_password(identifiant: str) -> str:
    """The legacy password of a generated legacy account."""
    return f"Extranet-{identifiant}-2019"


def _ascii(text: str) -> str:
    import unicodedata

    text = text.replace("œ", "oe").replace("Œ", "Oe")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in "-.")).lower()


def _password(rng: random.Random) -> str:
    while True:
        value = "".join(rng.choice(LETTERS_AND_DIGITS) for _ in range(12))
        upper, lower = any(c.isupper() for c in value), any(c.islower() for c in value)
        if upper and lower and sum(c.isdigit() for c in value) >= 2:
            return value


def export_rows(accounts: int, seed: int = 2026, bad_rows: bool = True) -> Iterator[list[str]]:
    """The export's data rows (one per lot) for about ``accounts`` accounts."""
    rng = random.Random(seed)  # noqa: S311 (reproducible sample data, not secrets)
    counters = dict.fromkeys((code for code, *_ in COPROPRIETES), 0)
    made = 0
    owner_number = 0
    lot_number = dict.fromkeys(counters, 0)
    while made < accounts:
        owner_number += 1
        owner_ref = f"C{owner_number:06d}"
        if rng.random() < 0.03:
            civility, first, last = "", "", rng.choice(COMPANIES)
        else:
            civility, first = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
        # the owner's postal address (where the letter goes), often near one copropriété
        street = f"{rng.randint(1, 180)} {rng.choice(STREETS)}"
        _, _, home_postal_code, home_city = rng.choice(COPROPRIETES)
        email = ""
        if rng.random() < 0.7:
            local = _ascii(f"{first}.{last}" if first else last.replace(" ", "-"))
            email = f"{local}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"
        # about one owner in six holds accounts in two copropriétés
        places = rng.sample(COPROPRIETES, 2 if rng.random() < 0.17 else 1)
        for code, name, _postal_code, _city in places:
            if made >= accounts:
                break
            made += 1
            counters[code] += 1
            identifiant = f"{code}{counters[code]:05d}".replace("Œ", "OE")
            password = _password(rng)
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
                lot_number[code] += 1
                shares = rng.randint(15, 420)
                amount = f"{shares * 2.87:.2f}".replace(".", ",")
                yield [
                    code,
                    name,
                    str(lot_number[code]),
                    owner_ref,
                    civility,
                    last,
                    first,
                    street,
                    home_postal_code,
                    home_city,
                    email,
                    identifiant,
                    password,
                    DUE,
                    LABEL,
                    str(shares),
                    amount,
                ]
    if bad_rows:
        yield from _bad_rows()


def _bad_rows() -> Iterator[list[str]]:
    """One of each kind of mistake the error report must show."""
    base = ["PAR", "Résidence du Parc", "", "", "Mme", "", "Gisèle", "3 rue Vendôme", "69006"]
    tail = ["Lyon", "", "", "Qm4xT7pLr2Wz", DUE, LABEL, "100", "287,00"]

    def row(lot: str, ref: str, last: str, email: str, ident: str, password: str = "") -> list[str]:
        return [
            *base[:2], lot, ref, base[4], last, *base[6:],
            tail[0], email, ident, password or tail[3], *tail[4:],
        ]  # fmt: skip

    yield row("9001", "C900001", "Arnaud", "", "")  # no identifiant
    yield row("9002", "C900002", "Bouvier", "", "ERR00001")  # two owners for one identifiant
    yield row("9003", "C900003", "Bouvier", "", "ERR00001")
    yield row("9004", "C900004", "Carré", "gisele.carre@orange", "ERR00002")  # bad e-mail
    yield row("9005", "C900005", "", "", "ERR00003")  # no last name
    yield row("9006", "C900006", "Dumé", "", "ERR00004", "Vw3kR8nHs5Tq")  # two passwords
    yield row("9007", "C900006", "Dumé", "", "ERR00004", "Jp6cY2mBd9Lx")


def write_csv(
    path: Path,
    rows: Iterator[list[str]],
    *,
    encoding: str = "windows-1252",
    delimiter: str = ";",
    header: list[str] = HEADER,
) -> int:
    """Write an export the way Excel does (CRLF, quotes only where needed)."""
    import csv

    count = 0
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def legacy_records(seed: int = 2019, per_scheme: int = 3) -> Iterator[dict[str, str]]:
    """Legacy accounts, ``per_scheme`` per hash format, then one unknown format."""
    from passlib import hash as schemes

    rng = random.Random(seed)  # noqa: S311 (reproducible sample data, not secrets)
    number = 0
    for scheme in LEGACY_SCHEMES:
        handler = getattr(schemes, scheme)
        settings = LEGACY_SETTINGS.get(scheme)
        if settings:
            handler = handler.using(**settings)
        for _ in range(per_scheme):
            number += 1
            identifiant = f"EXT{number:05d}"
            civility, first = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            yield {
                "identifiant": identifiant,
                "owner_ref": f"L{number:06d}",
                "civility": civility,
                "last_name": last,
                "first_name": first,
                "email": f"{_ascii(first)}.{_ascii(last)}@{rng.choice(DOMAINS)}",
                "copropriete": rng.choice(COPROPRIETES)[1],
                "lots": [str(rng.randint(1, 300))],
                "password_hash": handler.hash(legacy_password(identifiant)),
            }
    yield {
        "identifiant": "EXT99999",
        "owner_ref": "L999999",
        "last_name": "Inconnu",
        "first_name": "Format",
        "email": "",
        "password_hash": "{CRYPT}$9$not-a-known-scheme",
    }


def write_jsonl(path: Path, records: Iterator[dict[str, object]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


DELIMITERS = {";": ";", ",": ",", "tab": "\t"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Écrire un export d'appels de fonds et un fichier de comptes de l'ancien "
        "extranet, fictifs et reproductibles (même graine, mêmes fichiers).",
    )
    parser.add_argument(
        "--accounts",
        type=int,
        default=420,
        metavar="N",
        help="nombre de comptes de l'export (défaut : 420, celui de l'échantillon)",
    )
    parser.add_argument(
        "--seed", type=int, default=2026, help="graine du hasard (défaut : 2026, l'échantillon)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FICHIER",
        help=f"export à écrire (défaut : {SAMPLE_EXPORT.name} dans le dossier courant)",
    )
    parser.add_argument(
        "--legacy-out",
        type=Path,
        metavar="FICHIER",
        help=f"comptes de l'ancien extranet à écrire (défaut : {SAMPLE_LEGACY.name} dans le "
        "dossier courant, sauf si --out seul est donné : alors pas de fichier legacy)",
    )
    parser.add_argument(
        "--samples",
        action="store_true",
        help="réécrire les échantillons suivis par git, dans sample_data/ (à la place de "
        "--out et --legacy-out)",
    )
    parser.add_argument(
        "--encoding",
        default="windows-1252",
        help="encodage de l'export (défaut : windows-1252, comme Excel en français)",
    )
    parser.add_argument(
        "--delimiter",
        choices=sorted(DELIMITERS),
        default=";",
        help="séparateur de l'export (défaut : ;)",
    )
    parser.add_argument(
        "--no-bad-rows",
        action="store_true",
        help="sans les lignes fautives qui montrent le rapport d'erreurs (pour les mesures)",
    )
    args = parser.parse_args(argv)
    if args.samples and (args.out or args.legacy_out):
        parser.error("--samples écrit les échantillons suivis : sans --out ni --legacy-out")
    out = SAMPLE_EXPORT if args.samples else args.out or Path(SAMPLE_EXPORT.name)
    rows = write_csv(
        out,
        export_rows(args.accounts, args.seed, bad_rows=not args.no_bad_rows),
        encoding=args.encoding,
        delimiter=DELIMITERS[args.delimiter],
    )
    print(f"{out}: {rows} rows", file=sys.stderr)
    if args.samples or args.out is None or args.legacy_out is not None:
        legacy_out = SAMPLE_LEGACY if args.samples else args.legacy_out or Path(SAMPLE_LEGACY.name)
        count = write_jsonl(legacy_out, legacy_records())
        print(f"{legacy_out}: {count} legacy accounts", file=sys.stderr)


if __name__ == "__main__":
    main()
