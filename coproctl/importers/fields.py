"""The columns an import understands, and how a header is recognised (SPEC §4).

Headers are compared after lower-casing, removing accents and dropping every character that
is not a letter or a digit: ``N° Lot`` matches ``n lot``, ``Réf. Copropriétaire`` matches
``ref coproprietaire``. Each field's own name is an alias too, so ``owner_ref`` or
``last_name`` work as headers (and as JSON-lines keys).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # French, for messages
    aliases: tuple[str, ...]
    max_length: int


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field(
            "identifiant",
            "Identifiant",
            ("identifiant", "login", "code internet", "identifiant internet", "code extranet"),
            64,
        ),
        Field(
            "password",
            "Mot de passe",
            ("mot de passe", "mdp", "password", "mot de passe internet", "mot de passe initial"),
            128,
        ),
        Field(
            "password_hash",
            "Empreinte du mot de passe",
            ("password_hash", "hash", "empreinte", "hash mot de passe", "mot de passe chiffre"),
            512,
        ),
        Field(
            "owner_ref",
            "Référence propriétaire",
            (
                "owner_ref",
                "ref proprietaire",
                "ref coproprietaire",
                "compte coproprietaire",
                "code coproprietaire",
                "n coproprietaire",
            ),
            64,
        ),
        Field("last_name", "Nom", ("last_name", "nom", "nom coproprietaire"), 200),
        Field("first_name", "Prénom", ("first_name", "prenom"), 200),
        Field("civility", "Civilité", ("civility", "civilite"), 32),
        Field("email", "E-mail", ("email", "e-mail", "courriel", "adresse email", "mail"), 320),
        Field(
            "copropriete",
            "Copropriété",
            ("copropriete", "residence", "immeuble", "syndicat", "nom copropriete"),
            200,
        ),
        Field(
            "copropriete_code",
            "Code copropriété",
            ("copropriete_code", "code copropriete", "code immeuble", "ref copropriete"),
            64,
        ),
        Field("lot", "Lot", ("lot", "lots", "n lot", "numero de lot", "numeros de lots"), 400),
        Field("address", "Adresse", ("address", "adresse", "adresse postale"), 400),
        Field("postal_code", "Code postal", ("postal_code", "code postal", "cp"), 16),
        Field("city", "Ville", ("city", "ville", "commune"), 200),
        # a legacy hash's salt kept in its own column (Joomla...): the pipeline needs it to
        # verify, or refuses the file; never shown back, like the hash
        Field("salt", "Sel", ("salt", "sel", "password_salt"), 512),
    )
}

OWNER_FIELDS = ("civility", "last_name", "first_name", "address", "postal_code", "city")
# cells that are never shown back (report, messages): the import's secret columns
SECRET_FIELDS = frozenset({"password", "password_hash"})
# cells a rejects report never shows: the secrets, and what would help guess them
REPORT_WITHHELD_FIELDS = SECRET_FIELDS | {"salt"}
IGNORE = "-"  # --map 'Header=-' leaves a column out


def normalise_header(text: str) -> str:
    """``Réf. Copropriétaire`` -> ``refcoproprietaire``; ``N° Lot`` -> ``nlot``."""
    text = text.lower()
    for source, target in (("œ", "oe"), ("æ", "ae"), ("ß", "ss"), ("°", ""), ("º", "")):
        text = text.replace(source, target)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


ALIASES: dict[str, str] = {
    normalise_header(alias): f.name for f in FIELDS.values() for alias in f.aliases
}


# A legacy export (phpMyAdmin dump of an extranet's users table) names its hash column as
# the site did: in an import that takes a hash and no password, these are the hash's.
LEGACY_HASH_ALIASES = ("password", "pass", "passwd", "mdp", "mot_de_passe", "mot de passe")

# One column holding the whole owner ("Mme LEFÈVRE Hélène"): read only when the file has
# no last-name column, and split (``owner_name``) into civility, last and first names.
OWNER_COLUMN = "owner"
OWNER_COLUMN_ALIASES = frozenset(
    normalise_header(alias)
    for alias in (
        "coproprietaire",
        "proprietaire",
        "nom du coproprietaire",
        "nom et prenom",
        "nom prenom",
        "civilite nom prenom",
    )
)
# fields whose repeated columns are joined into one value (lines kept, ", " between)
JOINED_FIELDS = frozenset({"address"})


def resolve_field(name: str) -> str | None:
    """A field from its name or any alias (for ``--map``); None when unknown."""
    return ALIASES.get(normalise_header(name))


def aliases_for(allowed: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Normalised header -> field, for an import that takes the fields ``allowed``."""
    aliases = {key: name for key, name in ALIASES.items() if name in allowed}
    if "password_hash" in allowed and "password" not in allowed:
        aliases.update(dict.fromkeys(map(normalise_header, LEGACY_HASH_ALIASES), "password_hash"))
    if "last_name" in allowed:
        for key in OWNER_COLUMN_ALIASES:
            aliases.setdefault(key, OWNER_COLUMN)
    return aliases
