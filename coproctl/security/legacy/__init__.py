"""Password hashes of the old extranets: recognise, store and verify them.

- :func:`describe` says what a hash is, from the hash itself (never from a column name), in
  words staff know, and why it cannot be used (with the next step) when it cannot.
- :func:`stored_form` is what goes into ``account.password_hash``: a strong hash as it is,
  a weak one wrapped in argon2id (:mod:`.wrapping`: CPU-heavy, so the import computes it on
  its process pool, ``services/importing/hashes.py``). Which are weak, by cost per guess:
  every unsalted or salted MD5/SHA digest (hex, MySQL, LDAP, Django sha1/md5, Joomla, salted
  columns), MD5-crypt, apr1, DES crypt, phpass; SHA-crypt, PBKDF2 and Drupal 7 under
  100,000 iterations; bcrypt under cost 10. Strong, stored as they are: argon2, yescrypt,
  and the others above those costs.
- :func:`verify` checks a typed password against any stored legacy form: first as typed
  (the legacy system hashed the raw bytes), then NFKC-normalised, then, for the MD5/SHA-1
  family made by PHP sites served in Latin-1, on the Windows-1252 bytes (what browsers send
  for a page declared ISO-8859-1: Latin-1 plus œ, Œ, Ÿ, €). bcrypt reads the first 72 bytes,
  as PHP and OpenBSD did.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from coproctl.security.legacy import formats, handlers, libxcrypt, wrapping
from coproctl.security.legacy.handlers import CONSTRUCTIONS, canonical_construction

__all__ = [
    "CONSTRUCTIONS",
    "LegacyHash",
    "UnsupportedHash",
    "canonical_construction",
    "costs_argon2",
    "describe",
    "represents",
    "stored_form",
    "verify",
]

NEXT_STEP = (
    "donnez à ce propriétaire un nouveau mot de passe initial "
    "(coproctl account reset ID si son compte existe, sinon coproctl account create)"
)
KNOWN_FAMILIES = (
    "WordPress, phpBB, Drupal 7, Joomla, Django, LDAP, .htpasswd, MySQL, crypt Unix, "
    "bcrypt, argon2, MD5/SHA hexadécimal"
)


class UnsupportedHash(ValueError):
    """A hash that cannot be stored; ``str()`` is the French refusal, with the next step."""


@dataclass(frozen=True)
class LegacyHash:
    scheme: str | None  # our name of an accepted format; None when unknown
    label: str  # French, e.g. "empreinte WordPress (phpass)"
    supported: bool
    problem: str | None  # French: why unusable, with the next step
    wraps: bool = False  # stored_form wraps it in argon2id (an argon2 to compute)


_CONSTRUCTION_FORMATS: dict[str, formats.Format] = {
    name: formats.OwnFormat(
        scheme=name,
        label=f"empreinte {name} (sel en colonne)",
        latin1=True,
        split=handlers.unusable,
        digest=handlers.construction_digest,
    )
    for name in CONSTRUCTIONS
}


def _format(scheme: str) -> formats.Format | None:
    return formats.BY_SCHEME.get(scheme) or _CONSTRUCTION_FORMATS.get(scheme)


@dataclass(frozen=True)
class _Parsed:
    format: formats.Format
    label: str
    text: str  # what the format parsed ({CRYPT} removed)
    setting: dict[str, Any]
    digest: str


def _parse(text: str, construction: str | None, salt: str | None) -> _Parsed | LegacyHash:
    """The parsed hash, or a :class:`LegacyHash` saying why it cannot be used."""
    if construction is not None or salt is not None:
        return _parse_construction(text, construction, salt)
    if not text:
        return LegacyHash(None, "empreinte vide", False, f"empreinte vide : {NEXT_STEP}.")
    entry, inner, in_crypt = formats.find(text)
    if entry is None:
        label = "empreinte LDAP {CRYPT}" if in_crypt else "empreinte"
        problem = (
            f"format d'empreinte non reconnu ({label} ; formats connus : {KNOWN_FAMILIES}) : "
            f"{NEXT_STEP}."
        )
        return LegacyHash(None, label, False, problem)
    fmt = entry.format
    label = entry.label if fmt is None else fmt.label
    if in_crypt:
        label = f"{label} dans {{CRYPT}} (LDAP)"
    if fmt is None:
        why = f" ({entry.why})" if entry.why else ""
        return LegacyHash(None, label, False, f"{label} non prise en charge{why} : {NEXT_STEP}.")
    try:
        setting, digest = fmt.parse(inner)
    except LookupError:
        problem = (
            f"{label} non prise en charge ici : la bibliothèque système libxcrypt de cette "
            f"machine ne vérifie pas yescrypt : {NEXT_STEP}."
        )
        return LegacyHash(fmt.scheme, label, False, problem)
    except ValueError as error:
        return LegacyHash(fmt.scheme, label, False, f"{label} mal formée ({error}) : {NEXT_STEP}.")
    return _Parsed(fmt, label, inner, setting, digest)


def _parse_construction(
    text: str, construction: str | None, salt: str | None
) -> _Parsed | LegacyHash:
    if construction is None:
        problem = (
            "un sel en colonne à part demande de nommer la construction de l'empreinte "
            "(--legacy-scheme, par exemple 'md5(password+salt)')"
        )
        return LegacyHash(None, "empreinte avec sel en colonne", False, problem)
    name = canonical_construction(construction)
    if name is None:
        known = ", ".join(CONSTRUCTIONS)
        problem = f"construction d'empreinte inconnue « {construction} » (connues : {known})"
        return LegacyHash(None, "empreinte avec sel en colonne", False, problem)
    fmt = _CONSTRUCTION_FORMATS[name]
    try:
        setting, digest = handlers.construction_split(name, salt or "", text)
    except ValueError as error:
        problem = f"{fmt.label} mal formée ({error}) : {NEXT_STEP}."
        return LegacyHash(name, fmt.label, False, problem)
    return _Parsed(fmt, fmt.label, text, setting, digest)


def describe(text: str, *, construction: str | None = None, salt: str | None = None) -> LegacyHash:
    """What ``text`` is (with ``construction``/``salt``: a hash whose salt has its own column)."""
    text = text.strip()
    if construction is None and salt is None and wrapping.is_wrapped(text):
        return _describe_wrapped(text)
    parsed = _parse(text, construction, salt)
    if isinstance(parsed, LegacyHash):
        return parsed
    wraps = parsed.format.weak(parsed.setting)
    return LegacyHash(parsed.format.scheme, parsed.label, True, None, wraps)


def _describe_wrapped(text: str) -> LegacyHash:
    try:
        wrapped = wrapping.unwrap(text)
    except ValueError as error:
        problem = f"empreinte enveloppée mal formée ({error}) : {NEXT_STEP}."
        return LegacyHash(None, "empreinte enveloppée", False, problem)
    fmt = _format(wrapped.scheme)
    if fmt is None:
        problem = f"empreinte enveloppée d'un format inconnu ({wrapped.scheme}) : {NEXT_STEP}."
        return LegacyHash(None, "empreinte enveloppée", False, problem)
    return LegacyHash(fmt.scheme, f"{fmt.label} enveloppée dans argon2id", True, None)


def stored_form(text: str, *, construction: str | None = None, salt: str | None = None) -> str:
    """What goes into ``account.password_hash`` for the legacy hash ``text``.

    Raises :class:`UnsupportedHash` (its ``str()`` is the French refusal). A weak hash costs
    an argon2id (about 20 ms): call it through the import's process pool.
    """
    text = text.strip()
    if construction is None and salt is None and wrapping.is_wrapped(text):
        described = _describe_wrapped(text)
        if described.problem:
            raise UnsupportedHash(described.problem)
        return text
    parsed = _parse(text, construction, salt)
    if isinstance(parsed, LegacyHash):
        raise UnsupportedHash(parsed.problem)
    stored = parsed.text
    if parsed.format.weak(parsed.setting) or construction is not None:
        stored = wrapping.wrap(parsed.format.scheme, parsed.setting, parsed.digest)
    if len(stored) > wrapping.MAX_STORED:
        raise UnsupportedHash(f"{parsed.label} trop longue pour être conservée : {NEXT_STEP}.")
    return stored


def represents(
    stored: str, text: str, *, construction: str | None = None, salt: str | None = None
) -> bool:
    """Whether ``stored`` is a stored form of the legacy hash ``text`` (a re-import finds
    nothing to change). For a wrapped form this costs an argon2id."""
    text = text.strip()
    if stored == text:
        return True
    if not wrapping.is_wrapped(stored):
        return False
    parsed = _parse(text, construction, salt)
    if isinstance(parsed, LegacyHash):
        return False
    try:
        wrapped = wrapping.unwrap(stored)
    except ValueError:
        return False
    if wrapped.scheme != parsed.format.scheme or wrapped.setting != parsed.setting:
        return False
    return wrapping.matches(wrapped, parsed.digest)


def costs_argon2(stored: str) -> bool:
    """Whether checking a password against ``stored`` runs an argon2 (wrapped, or argon2)."""
    if wrapping.is_wrapped(stored):
        return True
    entry, _, _ = formats.find(stored.strip())
    return entry is not None and isinstance(entry.format, formats.Argon2Format)


def _candidates(password: str, latin1: bool) -> list[bytes]:
    """The bytes a legacy system may have hashed for ``password``, most likely first."""
    forms = [password]
    normalised = unicodedata.normalize("NFKC", password)
    if normalised != password:
        forms.append(normalised)
    encodings = ["utf-8", "cp1252"] if latin1 and not password.isascii() else ["utf-8"]
    found: list[bytes] = []
    for encoding in encodings:
        for form in forms:
            try:
                encoded = form.encode(encoding)
            except UnicodeEncodeError:
                continue
            if encoded not in found:
                found.append(encoded)
    return found


def verify(password: str, stored: str) -> bool:
    """Whether ``password`` matches the legacy form ``stored``. Never raises."""
    try:
        if wrapping.is_wrapped(stored):
            return _verify_wrapped(password, stored)
        parsed = _parse(stored.strip(), None, None)
        if isinstance(parsed, LegacyHash):
            return False
        fmt = parsed.format
        for secret in _candidates(password, fmt.latin1):
            try:
                if fmt.check(parsed.setting, parsed.digest, secret):
                    return True
            except (ValueError, TypeError):
                continue
    except (ValueError, TypeError, LookupError):
        return False
    return False


def _verify_wrapped(password: str, stored: str) -> bool:
    wrapped = wrapping.unwrap(stored)
    fmt = _format(wrapped.scheme)
    if fmt is None:
        return False
    for secret in _candidates(password, fmt.latin1):
        try:
            digest = fmt.compute(wrapped.setting, secret)
        except (ValueError, TypeError, KeyError):
            continue
        if wrapping.matches(wrapped, digest):
            return True
    return False


def yescrypt_available() -> bool:
    return libxcrypt.available()
