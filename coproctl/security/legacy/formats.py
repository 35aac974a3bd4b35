"""The legacy hash formats: how each is recognised, taken apart and recomputed.

Every format splits a stored hash into a *setting* (salt, rounds, variant: JSON-able) and a
*digest* (the part that depends on the password, as text), and recomputes the digest of a
candidate secret from the setting. That one shape serves both ways of storing it: the hash
as-is (the digests are compared in constant time) and the hash wrapped in argon2id (the
recomputed digest is checked against the argon2id hash: :mod:`.wrapping`).

passlib's handlers do the work wherever one exists; :mod:`.handlers` holds the few that
passlib lacks (Drupal 7, Joomla, salted-column constructions) and :mod:`.libxcrypt` the one
passlib cannot verify (yescrypt).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from passlib import hash as passlib_hash

from coproctl.security.legacy import handlers, libxcrypt

Setting = dict[str, Any]

# Below this many iterations a salted, iterated hash is cheap enough to brute-force on a
# GPU (sha512-crypt's default is 5,000; Django's PBKDF2 had 10,000 in 2012): it is wrapped.
MIN_STRONG_ITERATIONS = 100_000
# bcrypt cost factor below which a hash is wrapped (PHP's default is 10).
MIN_STRONG_BCRYPT_COST = 10


def _always(_: Setting) -> bool:
    return True


def _never(_: Setting) -> bool:
    return False


def _few_rounds(setting: Setting) -> bool:
    return int(setting.get("rounds", 0)) < MIN_STRONG_ITERATIONS


def _low_bcrypt_cost(setting: Setting) -> bool:
    return int(setting.get("rounds", 0)) < MIN_STRONG_BCRYPT_COST


@dataclass(frozen=True)
class Format:
    """One legacy format. ``latin1``: old PHP sites hashed Latin-1 bytes (MD5/SHA-1 family)."""

    scheme: str  # our name, stored in a wrapped hash's marker: never change one
    label: str  # French, in words staff know
    latin1: bool
    weak: Callable[[Setting], bool] = field(default=_always)

    def parse(self, text: str) -> tuple[Setting, str]:
        """(setting, digest); ValueError when ``text`` is malformed for this format."""
        raise NotImplementedError

    def compute(self, setting: Setting, secret: bytes) -> str:
        """The digest of ``secret`` under ``setting``; ValueError on an unusable secret."""
        raise NotImplementedError

    def check(self, setting: Setting, digest: str, secret: bytes) -> bool:
        """Whether ``secret`` gives ``digest`` (constant-time comparison)."""
        return hmac.compare_digest(self.compute(setting, secret), digest)


@dataclass(frozen=True)
class PasslibFormat(Format):
    """A format passlib handles; ``truncate``: bytes the original system read (bcrypt: 72)."""

    handler: Any = None
    truncate: int | None = None

    def parse(self, text: str) -> tuple[Setting, str]:
        parsed = _from_string(self.handler, text)
        setting: Setting = {}
        kwds = self.handler.setting_kwds
        if "salt" in kwds:
            salt = parsed.salt
            setting["salt"] = {"hex": salt.hex()} if isinstance(salt, bytes) else salt
        if "rounds" in kwds:
            setting["rounds"] = parsed.rounds
        if "ident" in kwds:
            setting["ident"] = parsed.ident
        return setting, _text(parsed.checksum)

    def compute(self, setting: Setting, secret: bytes) -> str:
        if self.truncate is not None:
            secret = secret[: self.truncate]
        options = dict(setting)
        salt = options.get("salt")
        if isinstance(salt, dict):
            options["salt"] = bytes.fromhex(salt["hex"])
        handler = self.handler.using(**options) if options else self.handler
        try:
            hashed = handler.hash(secret)
        except TypeError as error:
            raise ValueError(str(error)) from None
        return _text(_from_string(self.handler, hashed).checksum)


@dataclass(frozen=True)
class WordPressBcrypt(PasslibFormat):
    """WordPress 6.8+ (``wp_hash_password``): ``$wp`` + bcrypt over the base64 of
    HMAC-SHA384(key ``wp-sha384``, password), so no password is cut at 72 bytes."""

    def parse(self, text: str) -> tuple[Setting, str]:
        if not text.startswith("$wp$"):
            raise ValueError("préfixe $wp attendu")
        return super().parse(text[3:])

    def compute(self, setting: Setting, secret: bytes) -> str:
        prehash = hmac.new(b"wp-sha384", secret, hashlib.sha384).digest()
        return super().compute(setting, base64.b64encode(prehash))


def _from_string(handler: Any, text: str) -> Any:
    """passlib's parse; its English reasons replaced by one French one."""
    prefix = getattr(handler, "prefix", None)  # passlib's PrefixWrapper (django_argon2)
    if prefix is not None and not hasattr(handler, "from_string"):
        if not text.startswith(prefix):
            raise ValueError("préfixe inattendu")
        handler, text = handler.wrapped, handler.orig_prefix + text[len(prefix) :]
    try:
        parsed = handler.from_string(text)
    except (ValueError, TypeError):
        raise ValueError("longueur, sel ou caractères inattendus") from None
    if parsed.checksum is None:
        raise ValueError("sans la partie qui dépend du mot de passe")
    return parsed


def _text(checksum: str | bytes) -> str:
    return checksum.hex() if isinstance(checksum, bytes) else checksum


@dataclass(frozen=True)
class Argon2Format(Format):
    """argon2 from another system (PHP ``PASSWORD_ARGON2I``, Django): verified, never wrapped."""

    handler: Any = None

    def parse(self, text: str) -> tuple[Setting, str]:
        _from_string(self.handler, text)
        return {}, text

    def check(self, setting: Setting, digest: str, secret: bytes) -> bool:
        try:
            return bool(self.handler.verify(secret, digest))
        except (ValueError, TypeError):
            return False


@dataclass(frozen=True)
class OwnFormat(Format):
    """A format written here (:mod:`.handlers`, :mod:`.libxcrypt`)."""

    split: Callable[[str], tuple[Setting, str]] = field(default=handlers.unusable)
    digest: Callable[[Setting, bytes], str] = field(default=handlers.unusable)

    def parse(self, text: str) -> tuple[Setting, str]:
        return self.split(text)

    def compute(self, setting: Setting, secret: bytes) -> str:
        return self.digest(setting, secret)


@dataclass(frozen=True)
class Entry:
    """How a format shows in a stored text: ``prefix`` (a regex matched at the start)."""

    prefix: re.Pattern[str]
    format: Format | None  # None: recognised, not supported
    label: str = ""
    why: str = ""  # for an unsupported one: why, in French
    strip: int = 0  # characters to drop before parsing ({CRYPT})


def _p(handler: Any, scheme: str, label: str, **options: Any) -> PasslibFormat:
    return PasslibFormat(scheme=scheme, label=label, handler=handler, **options)


H = passlib_hash
BCRYPT = _p(
    H.bcrypt,
    "bcrypt",
    "empreinte bcrypt (PHP password_hash, $2y$)",
    latin1=False,
    weak=_low_bcrypt_cost,
    truncate=72,
)
MD5_CRYPT = _p(H.md5_crypt, "md5_crypt", "empreinte MD5-crypt ($1$, Unix)", latin1=True)
APR1 = _p(H.apr_md5_crypt, "apr_md5_crypt", "empreinte Apache .htpasswd ($apr1$)", latin1=True)
DES_CRYPT = _p(
    H.des_crypt, "des_crypt", "empreinte DES crypt (.htpasswd, Unix ancien)", latin1=True
)
SHA256_CRYPT = _p(
    H.sha256_crypt,
    "sha256_crypt",
    "empreinte SHA-256-crypt ($5$, Unix)",
    latin1=False,
    weak=_few_rounds,
)
SHA512_CRYPT = _p(
    H.sha512_crypt,
    "sha512_crypt",
    "empreinte SHA-512-crypt ($6$, Unix)",
    latin1=False,
    weak=_few_rounds,
)
YESCRYPT = OwnFormat(
    scheme="yescrypt",
    label="empreinte yescrypt ($y$, /etc/shadow de Debian)",
    latin1=False,
    weak=_never,
    split=libxcrypt.split,
    digest=libxcrypt.digest,
)

# Formats a {CRYPT} prefix may hold (OpenLDAP hands the rest to the system's crypt()).
CRYPT_ENTRIES: tuple[Entry, ...] = (
    Entry(re.compile(r"\$2[aby]\$"), BCRYPT),
    Entry(re.compile(r"\$1\$"), MD5_CRYPT),
    Entry(re.compile(r"\$5\$"), SHA256_CRYPT),
    Entry(re.compile(r"\$6\$"), SHA512_CRYPT),
    Entry(re.compile(r"\$y\$"), YESCRYPT),
    Entry(re.compile(r"[./0-9A-Za-z]{13}$"), DES_CRYPT),
)

ENTRIES: tuple[Entry, ...] = (
    # argon2: our own form is handled by passwords; these come from other systems
    Entry(
        re.compile(r"\$argon2(id|i|d)\$"),
        Argon2Format(
            scheme="argon2", label="empreinte Argon2", latin1=False, weak=_never, handler=H.argon2
        ),
    ),
    Entry(
        re.compile(r"argon2\$argon2(id|i|d)\$"),
        Argon2Format(
            scheme="django_argon2",
            label="empreinte Django (argon2)",
            latin1=False,
            weak=_never,
            handler=H.django_argon2,
        ),
    ),
    *CRYPT_ENTRIES[:5],
    Entry(re.compile(r"\$apr1\$"), APR1),
    Entry(
        re.compile(r"\$wp\$2[aby]\$"),
        WordPressBcrypt(
            scheme="wordpress_bcrypt",
            label="empreinte WordPress 6.8 ou plus ($wp$2y$)",
            latin1=False,
            weak=_low_bcrypt_cost,
            handler=H.bcrypt,
            truncate=72,
        ),
    ),
    Entry(
        re.compile(r"\$P\$"),
        _p(H.phpass, "phpass_wordpress", "empreinte WordPress (phpass)", latin1=True),
    ),
    Entry(
        re.compile(r"\$H\$"),
        _p(H.phpass, "phpass_phpbb", "empreinte phpBB3 (phpass)", latin1=True),
    ),
    Entry(
        re.compile(r"\$S\$"),
        OwnFormat(
            scheme="drupal7",
            label="empreinte Drupal 7 ($S$)",
            latin1=False,
            weak=handlers.drupal_weak,
            split=handlers.drupal_split,
            digest=handlers.drupal_digest,
        ),
    ),
    Entry(
        re.compile(r"U\$S\$"),
        OwnFormat(
            scheme="drupal7_md5",
            label="empreinte Drupal 7 reprise de Drupal 6 (U$S$)",
            latin1=False,
            weak=handlers.drupal_weak,
            split=handlers.drupal_split_md5,
            digest=handlers.drupal_digest_md5,
        ),
    ),
    Entry(
        re.compile(r"pbkdf2_sha256\$"),
        _p(
            H.django_pbkdf2_sha256,
            "django_pbkdf2_sha256",
            "empreinte Django (pbkdf2_sha256)",
            latin1=False,
            weak=_few_rounds,
        ),
    ),
    Entry(
        re.compile(r"pbkdf2_sha1\$"),
        _p(
            H.django_pbkdf2_sha1,
            "django_pbkdf2_sha1",
            "empreinte Django (pbkdf2_sha1)",
            latin1=False,
            weak=_few_rounds,
        ),
    ),
    Entry(
        re.compile(r"bcrypt_sha256\$"),
        _p(
            H.django_bcrypt_sha256,
            "django_bcrypt_sha256",
            "empreinte Django (bcrypt_sha256)",
            latin1=False,
            weak=_low_bcrypt_cost,
        ),
    ),
    Entry(
        re.compile(r"bcrypt\$"),
        _p(
            H.django_bcrypt,
            "django_bcrypt",
            "empreinte Django (bcrypt)",
            latin1=False,
            weak=_low_bcrypt_cost,
            truncate=72,
        ),
    ),
    Entry(
        re.compile(r"sha1\$"),
        _p(H.django_salted_sha1, "django_sha1", "empreinte Django (sha1)", latin1=True),
    ),
    Entry(
        re.compile(r"md5\$"),
        _p(H.django_salted_md5, "django_md5", "empreinte Django (md5)", latin1=True),
    ),
    Entry(
        re.compile(r"crypt\$"),
        _p(H.django_des_crypt, "django_crypt", "empreinte Django (crypt)", latin1=True),
    ),
    Entry(
        re.compile(r"\{SSHA512\}", re.IGNORECASE),
        _p(H.ldap_salted_sha512, "ldap_ssha512", "empreinte LDAP {SSHA512}", latin1=True),
    ),
    Entry(
        re.compile(r"\{SSHA256\}", re.IGNORECASE),
        _p(H.ldap_salted_sha256, "ldap_ssha256", "empreinte LDAP {SSHA256}", latin1=True),
    ),
    Entry(
        re.compile(r"\{SSHA\}", re.IGNORECASE),
        _p(H.ldap_salted_sha1, "ldap_ssha", "empreinte LDAP {SSHA}", latin1=True),
    ),
    Entry(
        re.compile(r"\{SMD5\}", re.IGNORECASE),
        _p(H.ldap_salted_md5, "ldap_smd5", "empreinte LDAP {SMD5}", latin1=True),
    ),
    Entry(
        re.compile(r"\{SHA\}", re.IGNORECASE),
        _p(H.ldap_sha1, "ldap_sha", "empreinte LDAP ou .htpasswd {SHA}", latin1=True),
    ),
    Entry(
        re.compile(r"\{MD5\}", re.IGNORECASE),
        _p(H.ldap_md5, "ldap_md5", "empreinte LDAP {MD5}", latin1=True),
    ),
    Entry(
        re.compile(r"\*[0-9A-Fa-f]{40}$"),
        _p(H.mysql41, "mysql41", "empreinte MySQL PASSWORD()", latin1=True),
    ),
    Entry(
        re.compile(r"[0-9A-Fa-f]{32}:[^:\s]{1,64}$"),
        OwnFormat(
            scheme="joomla",
            label="empreinte Joomla 1.5 à 2.5 (md5:sel)",
            latin1=True,
            split=handlers.joomla_split,
            digest=handlers.joomla_digest,
        ),
    ),
    Entry(
        re.compile(r"[0-9A-Fa-f]{32}$"),
        _p(H.hex_md5, "hex_md5", "empreinte MD5 hexadécimale", latin1=True),
    ),
    Entry(
        re.compile(r"[0-9A-Fa-f]{40}$"),
        _p(H.hex_sha1, "hex_sha1", "empreinte SHA-1 hexadécimale", latin1=True),
    ),
    Entry(
        re.compile(r"[0-9A-Fa-f]{64}$"),
        _p(H.hex_sha256, "hex_sha256", "empreinte SHA-256 hexadécimale", latin1=True),
    ),
    Entry(
        re.compile(r"[0-9A-Fa-f]{128}$"),
        _p(H.hex_sha512, "hex_sha512", "empreinte SHA-512 hexadécimale", latin1=True),
    ),
    CRYPT_ENTRIES[5],
    # recognised, refused: each says what it is
    Entry(re.compile(r"\$2x\$"), None, "empreinte bcrypt $2x$", "variante fautive de 2011"),
    Entry(re.compile(r"\$7\$"), None, "empreinte scrypt ($7$)", ""),
    Entry(re.compile(r"\$gy\$"), None, "empreinte gost-yescrypt ($gy$)", ""),
    Entry(re.compile(r"\$sha1\$"), None, "empreinte NetBSD sha1-crypt ($sha1$)", ""),
    Entry(re.compile(r"\$md5[$,]"), None, "empreinte Solaris SunMD5 ($md5$)", ""),
    Entry(re.compile(r"\$3\$"), None, "empreinte Windows NT ($3$)", ""),
    Entry(re.compile(r"scrypt\$"), None, "empreinte Django (scrypt)", ""),
    Entry(re.compile(r"unsalted_(md5|sha1)\$"), None, "empreinte Django non salée", ""),
    Entry(re.compile(r"[0-9A-Fa-f]{16}$"), None, "empreinte MySQL OLD_PASSWORD()", "trop faible"),
    Entry(
        re.compile(r"\{(SASL|K5KEY|UNIX)\}", re.IGNORECASE),
        None,
        "empreinte LDAP {SASL}, {K5KEY} ou {UNIX}",
        "le mot de passe est vérifié par un autre service",
    ),
    Entry(
        re.compile(r"\{(CLEARTEXT|PLAIN)\}", re.IGNORECASE),
        None,
        "empreinte LDAP {CLEARTEXT}",
        "un mot de passe en clair ne s'importe pas",
    ),
    Entry(
        re.compile(r"[!*]"),
        None,
        "empreinte de compte verrouillé (/etc/shadow : « ! » ou « * »)",
        "aucun mot de passe ne l'ouvre",
    ),
)

BY_SCHEME: dict[str, Format] = {
    entry.format.scheme: entry.format for entry in ENTRIES if entry.format is not None
}
BY_SCHEME[DES_CRYPT.scheme] = DES_CRYPT
CRYPT_PREFIX = re.compile(r"\{CRYPT\}", re.IGNORECASE)


def find(text: str) -> tuple[Entry | None, str, bool]:
    """(the entry ``text`` shows, the text its format parses, whether it sat in {CRYPT})."""
    crypt = CRYPT_PREFIX.match(text)
    if crypt:
        inner = text[crypt.end() :]
        for entry in CRYPT_ENTRIES:
            if entry.prefix.match(inner):
                return entry, inner, True
        return None, inner, True
    for entry in ENTRIES:
        if entry.prefix.match(text):
            return entry, text, False
    return None, text, False
