"""The few legacy constructions passlib has no handler for.

- Drupal 7 (``includes/password.inc``): phpass's portable scheme with SHA-512, the hash cut
  to 55 characters; ``U$S$…`` are Drupal 6 MD5 hashes Drupal 7 re-hashed
  (``user_update_7000``): the password is first turned into its hex MD5.
- Joomla 1.5 to 2.5 (``JUserHelper::getCryptedPassword``, ``md5-hex``): ``md5(password .
  salt) . ':' . salt``.
- A salt in its own column, with the construction named by staff (``--legacy-scheme``).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, NoReturn

from passlib.utils.binary import h64

Setting = dict[str, Any]

ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DRUPAL_HASH_LENGTH = 55
_DRUPAL = re.compile(r"\$S\$([./0-9A-Za-z])([./0-9A-Za-z]{8})([./0-9A-Za-z]{43})$")


def unusable(*_: object) -> NoReturn:
    raise ValueError("format sans traitement")


def drupal_split(text: str) -> tuple[Setting, str]:
    found = _DRUPAL.match(text)
    if not found:
        raise ValueError("une empreinte Drupal 7 a 55 caractères : $S$, coût, sel de 8")
    count_log2 = ITOA64.index(found[1])
    if not 7 <= count_log2 <= 30:  # DRUPAL_MIN_HASH_COUNT, DRUPAL_MAX_HASH_COUNT
        raise ValueError("coût hors des bornes de Drupal (7 à 30)")
    return {"count_log2": count_log2, "salt": found[2]}, found[3]


def drupal_digest(setting: Setting, secret: bytes) -> str:
    salt = str(setting["salt"]).encode("ascii")
    digest = hashlib.sha512(salt + secret).digest()
    for _ in range(1 << int(setting["count_log2"])):
        digest = hashlib.sha512(digest + secret).digest()
    return h64.encode_bytes(digest).decode("ascii")[: DRUPAL_HASH_LENGTH - 12]


def drupal_weak(setting: Setting) -> bool:
    from coproctl.security.legacy.formats import MIN_STRONG_ITERATIONS

    return 1 << int(setting["count_log2"]) < MIN_STRONG_ITERATIONS


def drupal_split_md5(text: str) -> tuple[Setting, str]:
    if not text.startswith("U"):
        raise ValueError("préfixe U attendu")
    return drupal_split(text[1:])


def drupal_digest_md5(setting: Setting, secret: bytes) -> str:
    return drupal_digest(setting, hashlib.md5(secret).hexdigest().encode("ascii"))  # noqa: S324


_JOOMLA = re.compile(r"([0-9A-Fa-f]{32}):([^:\s]{1,64})$")


def joomla_split(text: str) -> tuple[Setting, str]:
    found = _JOOMLA.match(text)
    if not found:
        raise ValueError("une empreinte Joomla s'écrit md5:sel")
    return {"salt": found[2]}, found[1].lower()


def joomla_digest(setting: Setting, secret: bytes) -> str:
    return hashlib.md5(secret + str(setting["salt"]).encode("utf-8")).hexdigest()  # noqa: S324


# --legacy-scheme: the construction of a hash whose salt sits in its own column
CONSTRUCTIONS: dict[str, str] = {
    "md5(password+salt)": "MD5 hexadécimal du mot de passe suivi du sel",
    "md5(salt+password)": "MD5 hexadécimal du sel suivi du mot de passe",
    "sha1(password+salt)": "SHA-1 hexadécimal du mot de passe suivi du sel",
    "sha1(salt+password)": "SHA-1 hexadécimal du sel suivi du mot de passe",
    "sha256(password+salt)": "SHA-256 hexadécimal du mot de passe suivi du sel",
    "sha256(salt+password)": "SHA-256 hexadécimal du sel suivi du mot de passe",
    "md5(md5(password)+salt)": (
        "MD5 hexadécimal du MD5 hexadécimal du mot de passe suivi du sel (vBulletin 3 et 4)"
    ),
}
_CONSTRUCTION = re.compile(r"(md5|sha1|sha256)\((password|salt|md5\(password\))\+(password|salt)\)")
_DIGEST_HEX_CHARS = {"md5": 32, "sha1": 40, "sha256": 64}


def canonical_construction(name: str) -> str | None:
    """The name in :data:`CONSTRUCTIONS` that ``name`` spells, or None.

    Spaces, case, ``$`` and PHP's ``.`` for concatenation are forgiven:
    ``MD5($password . $salt)`` is ``md5(password+salt)``.
    """
    spelled = re.sub(r"[\s$]", "", name.lower()).replace(".", "+")
    spelled = spelled.replace("pass+", "password+").replace("+pass)", "+password)")
    return spelled if spelled in CONSTRUCTIONS else None


def construction_split(construction: str, salt: str, text: str) -> tuple[Setting, str]:
    found = _CONSTRUCTION.fullmatch(construction)
    if found is None or construction not in CONSTRUCTIONS:
        raise ValueError("construction inconnue")
    digits = _DIGEST_HEX_CHARS[found[1]]
    if not re.fullmatch(rf"[0-9A-Fa-f]{{{digits}}}", text):
        raise ValueError(f"{construction} donne {digits} chiffres hexadécimaux")
    return {"construction": construction, "salt": salt}, text.lower()


def construction_digest(setting: Setting, secret: bytes) -> str:
    construction = str(setting["construction"])
    found = _CONSTRUCTION.fullmatch(construction)
    if found is None:
        raise ValueError("construction inconnue")
    salt = str(setting["salt"]).encode("utf-8")
    parts = {
        "password": secret,
        "salt": salt,
        "md5(password)": hashlib.md5(secret).hexdigest().encode("ascii"),  # noqa: S324
    }
    return hashlib.new(found[1], parts[found[2]] + parts[found[3]]).hexdigest()
