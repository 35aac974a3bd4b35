"""Contact e-mail addresses: parsing and normalisation (email-validator), typo hints.

email-validator is imported on first use only, so that CLI start-up does not pay for it.
"""

from __future__ import annotations

COMMON_DOMAINS: tuple[str, ...] = (
    "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "neuf.fr", "laposte.net", "gmail.com",
    "hotmail.fr", "hotmail.com", "outlook.fr", "outlook.com", "live.fr", "yahoo.fr",
    "yahoo.com", "icloud.com", "bbox.fr", "gmx.fr", "aol.com", "numericable.fr",
    "club-internet.fr", "me.com", "msn.com", "protonmail.com", "proton.me",
)  # fmt: skip
# Providers that exist under one extension only: any other one is a mistake (gmail.fr).
_SINGLE_EXTENSION = frozenset({
    "orange", "wanadoo", "free", "sfr", "neuf", "laposte", "gmail", "icloud", "bbox",
    "numericable", "club-internet",
})  # fmt: skip
# Real country extensions of the international providers (hotmail.be, yahoo.de...).
_REAL_EXTENSIONS = frozenset({
    "fr", "com", "net", "org", "eu", "be", "ch", "lu", "de", "at", "es", "it", "pt", "nl",
    "uk", "ie", "dk", "se", "fi", "ca",
})  # fmt: skip
# Real mail domains close to a common one: never "corrected".
_LOOKALIKES = frozenset({
    "mac.com", "mail.com", "email.com", "ymail.com", "googlemail.com", "orange.com", "sfr.com",
})  # fmt: skip

_GENERIC_MESSAGE = (
    "Cette adresse e-mail n'est pas valide : vérifiez-la (exemple : prenom.nom@orange.fr)."
)
# email-validator's English messages, by a fragment, in French; the first match wins.
_MESSAGES_FR: tuple[tuple[str, str], ...] = (
    ("must have an @", "L'adresse e-mail doit contenir un @ (exemple : prenom.nom@orange.fr)."),
    ("at-sign", "Remplacez l'arobase par un @ ordinaire, celui du clavier."),
    ("SPACE", "L'adresse e-mail ne doit pas contenir d'espace."),
    ("Internationalized characters before", (
        "Les lettres accentuées et les caractères spéciaux ne sont pas acceptés avant le @ "
        "(é, è, ç…) : vérifiez l'adresse auprès de votre fournisseur."
    )),
    ("something before the @", "Il manque la partie avant le @ (exemple : prenom.nom@orange.fr)."),
    ("something after the @", "Il manque la partie après le @ (exemple : orange.fr)."),
    ("should have a period", (
        "La partie après le @ est incomplète : il y manque l'extension (.fr, .com…)."
    )),
    ("top-level domain", "L'extension de l'adresse (.fr, .com…) n'est pas valide."),
    ("special-use or reserved", "Ce nom de domaine est réservé : il ne reçoit pas de courriel."),
    ("two periods", "L'adresse e-mail ne peut pas contenir deux points à la suite."),
    ("hyphen", "Un tiret est mal placé dans la partie après le @."),
    ("period", (
        "Un point est mal placé : une adresse ne peut ni commencer ni finir par un point, "
        "ni en avoir un juste avant ou après le @."
    )),
    ("too long", "L'adresse e-mail est trop longue."),
    ("angle bracket", "Saisissez l'adresse seule, sans nom ni chevrons (< >)."),
    ("Quoting", "Les guillemets ne sont pas acceptés dans une adresse e-mail."),
    ("bracket", "Indiquez un nom de domaine après le @, pas une adresse IP."),
    ("after the @", "La partie après le @ contient des caractères non autorisés."),
    ("invalid character", "L'adresse e-mail contient des caractères non autorisés."),
    ("unsafe character", "L'adresse e-mail contient des caractères non autorisés."),
)  # fmt: skip


class InvalidEmail(ValueError):
    """An address that cannot be used; ``message_fr`` says why, in French, for the owner."""

    def __init__(self, message_fr: str) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr


def normalise_email(raw: str) -> str:
    """The address checked and normalised (surrounding blanks removed, domain lower-cased).

    No deliverability (DNS) check. Accents before the @ are refused: French providers issue
    none and a relay without SMTPUTF8 could not deliver them; an internationalised domain
    comes back in its ASCII (IDNA) form, for the same reason.
    """
    from email_validator import EmailNotValidError, validate_email

    address = raw.strip()
    if not address:
        raise InvalidEmail("Veuillez saisir une adresse e-mail.")
    if address.count("@") > 1:
        raise InvalidEmail("L'adresse e-mail ne doit contenir qu'un seul @.")
    try:
        validated = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(_french(str(exc))) from exc
    return validated.ascii_email or validated.normalized


def suggest_domain_fix(address: str) -> str | None:
    """The address with its domain corrected, if that looks like a typo of a common one.

    A typo: a name within a small edit distance of a common provider's (none for very short
    names), with the same or an almost same extension; or a single-extension provider with a
    wrong extension (gmail.fr, laposte.fr). Common domains and real look-alikes are left alone.
    """
    local, at, domain = address.rpartition("@")
    domain = domain.lower()
    if not at or domain in COMMON_DOMAINS or domain in _LOOKALIKES:
        return None
    name, _, extension = domain.rpartition(".")
    candidates: list[tuple[int, int, int]] = []
    for index, common in enumerate(COMMON_DOMAINS):
        common_name, _, common_extension = common.rpartition(".")
        name_distance = _edit_distance(name, common_name)
        extension_distance = _edit_distance(extension, common_extension)
        if name_distance > _tolerance(common_name):
            continue
        if (
            extension_distance
            and common_name not in _SINGLE_EXTENSION
            and (extension in _REAL_EXTENSIONS or extension_distance > 1)
        ):
            continue  # an international provider: hotmail.be is real, hotmail.fe is not
        candidates.append((name_distance, extension_distance, index))
    return f"{local}@{COMMON_DOMAINS[min(candidates)[2]]}" if candidates else None


def same_address(a: str, b: str) -> bool:
    """Whether two normalised addresses are the same, ignoring case."""
    return a.casefold() == b.casefold()


def _french(message: str) -> str:
    for fragment, french in _MESSAGES_FR:
        if fragment in message:
            return french
    return _GENERIC_MESSAGE


def _tolerance(name: str) -> int:
    """How many edits a provider's name may be off by: none for "me", one for "sfr"."""
    return 0 if len(name) <= 2 else 1 if len(name) <= 4 else 2


def _edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: a transposition costs 1)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = int(char_a != char_b)
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]
