"""Settings: defaults, then a TOML file, then ``COPROCTL_*`` environment variables.

The environment wins over the file, and command-line options (``--db``) win over both.
With no settings at all, everything lives in the per-user application folder: the SQLite
database, the secret key file and the folder where mails are written as ``.eml`` files.

This module stays cheap to import (no SQLAlchemy): the CLI loads it for every command.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from coproctl.errors import BadInput
from coproctl.typography import count

ENV_PREFIX = "COPROCTL_"
APP_NAME = "coproctl"


def app_dir() -> Path:
    """The per-user application folder (``typer.get_app_dir``; honours XDG_CONFIG_HOME)."""
    override = os.environ.get(ENV_PREFIX + "HOME")
    if override:
        return Path(override)
    import typer

    return Path(typer.get_app_dir(APP_NAME))


@dataclass(frozen=True)
class Settings:
    database_url: str = ""
    database_busy_timeout_ms: int = 10_000  # SQLite: how long a writer waits for the lock
    secret_key: str = field(default="", repr=False)
    secret_key_file: str = ""
    # mail
    mail_transport: str = ""  # "smtp", "file:DIR" or "console"; default file:<app dir>/mail
    mail_from: str = "Espace copropriétaires <ne-pas-repondre@localhost>"
    mail_reply_to: str = ""
    mail_delivery: str = "immediate"  # "immediate" (after commit) or "queue" (cron only)
    mail_templates_dir: str = ""  # a folder whose files replace the packaged templates
    mail_lease_seconds: int = 300  # how long a deliverer holds the messages it claimed
    mail_retention_days: int = 90  # default age of the sent/failed mails `mail purge` deletes
    smtp_host: str = "localhost"
    smtp_port: int = 25
    # starttls, ssl, none (then no login), none-insecure-login (login in clear: a trusted
    # local relay only)
    smtp_tls: str = "none"
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    # a file holding the SMTP password (mode 0600, owned by coproctl's user), so that no
    # secret sits in the TOML file; read when a mail is sent (resolved_smtp_password)
    smtp_password_file: str = ""
    smtp_timeout: float = 10.0
    smtp_ca_file: str = ""  # certificate authority of a relay with a private certificate
    # the syndic, as mails name it (signature, "appelez votre service de syndic")
    syndic_name: str = ""
    syndic_phone: str = ""
    syndic_url: str = ""  # the owners' client space
    # the owners' pages (coproctl serve, docs/web.md): colours as #rrggbb; white text on
    # SYNDIC_COLOUR and links in SYNDIC_ACCENT_COLOUR on white must read at 4.5:1 at least
    syndic_colour: str = "#1f4a66"
    syndic_accent_colour: str = "#9c3d0a"
    web_session_idle_minutes: int = 15
    web_session_max_hours: int = 12
    web_rate_per_address: int = 30  # logins and forgotten-password requests a minute
    web_rate_per_identifiant: int = 10
    # addresses or networks of the reverse proxies whose X-Forwarded-For is believed
    web_trusted_proxies: str = ""
    web_mail_interval_seconds: int = 5  # the server drains the outbox this often; 0: cron
    # verification codes
    code_ttl_update_minutes: int = 30
    code_ttl_reset_minutes: int = 10
    code_ttl_email_change_minutes: int = 30
    code_max_attempts: int = 5
    code_resend_cooldown_seconds: int = 60
    code_max_per_hour: int = 5
    password_window_minutes: int = 15
    # passwords and lockout
    password_min_score: int = 3
    lockout_threshold: int = 5
    lockout_base_seconds: int = 60
    lockout_max_seconds: int = 3600
    enumeration_floor_ms: int = 300
    # a pending account's letter (or legacy) password stops opening it after this many days
    # (counted from account.password_changed_at); `account reset` issues a new one
    initial_password_days: int = 365
    # retention
    audit_retention_days: int = 365

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{app_dir() / 'coproctl.db'}"

    def resolved_secret_key_file(self) -> Path:
        return Path(self.secret_key_file) if self.secret_key_file else app_dir() / "secret.key"

    def resolved_smtp_password(self) -> str:
        """SMTP_PASSWORD, else the first line of SMTP_PASSWORD_FILE (read now, not at load:
        commands that send nothing never need to read it)."""
        if self.smtp_password or not self.smtp_password_file:
            return self.smtp_password
        try:
            with open(self.smtp_password_file, encoding="utf-8") as handle:
                return handle.readline().rstrip("\r\n")
        except OSError as exc:
            raise BadInput(
                "bad_setting",
                f"SMTP_PASSWORD_FILE illisible : {self.smtp_password_file} ({exc.strerror}).",
            ) from None

    def resolved_mail_transport(self) -> str:
        return self.mail_transport or f"file:{app_dir() / 'mail'}"

    def code_ttl_minutes(self, purpose: str) -> int:
        return {
            "update": self.code_ttl_update_minutes,
            "reset": self.code_ttl_reset_minutes,
            "email-change": self.code_ttl_email_change_minutes,
        }[purpose]


def setting_names() -> list[str]:
    return [f.name for f in fields(Settings)]


def _convert(name: str, raw: Any, kind: Any, source: str) -> Any:
    target = {"int": int, "float": float, "str": str}.get(kind if isinstance(kind, str) else "")
    if target is None:
        target = kind
    try:
        if target is int and isinstance(raw, bool):
            raise ValueError
        return target(raw)
    except (TypeError, ValueError):
        raise BadInput(
            "bad_setting", f"Réglage « {name} » invalide ({source}) : {raw!r}."
        ) from None


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    sources: dict[str, str] | None = None,
    check: bool = True,
    **overrides: Any,
) -> Settings:
    """Build the settings: defaults < TOML file < COPROCTL_* environment < overrides.

    ``sources``, when given, is filled with where each setting not left at its default came
    from (``fichier PATH``, ``environnement COPROCTL_X``, ``option``: ``config show``);
    ``check=False`` skips the checks of :func:`_validate` (to show what is wrong).
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    found: dict[str, str] = {} if sources is None else sources
    kinds = {f.name: f.type for f in fields(Settings)}

    path = config_file or env.get(ENV_PREFIX + "CONFIG")
    if path:
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise BadInput("bad_config", f"Fichier de réglages introuvable : {path}") from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise BadInput(
                "bad_config", f"Fichier de réglages illisible ({path}) : {exc}"
            ) from None
        data = data.get("coproctl", data)
        for key, raw in data.items():
            name = key.replace("-", "_").lower()
            if name not in kinds:
                raise BadInput("bad_config", f"Réglage inconnu dans {path} : « {key} ».")
            values[name] = _convert(name, raw, kinds[name], str(path))
            found[name] = f"fichier {path}"

    for name, kind in kinds.items():
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = _convert(name, raw, kind, ENV_PREFIX + name.upper())
            found[name] = f"environnement {ENV_PREFIX}{name.upper()}"

    values.update({k: v for k, v in overrides.items() if v is not None})
    found.update({k: "option" for k, v in overrides.items() if v is not None})
    settings = Settings(**values)
    if check:
        _validate(settings)
    return settings


def _validate(settings: Settings) -> None:
    url = settings.database_url
    if url and "://" not in url and "@" not in url:  # a bare path: say which URL was meant
        raise BadInput(
            "bad_database_url",
            f"« {url} » n'est pas une adresse de base de données.",
            hint=f"Pour un fichier SQLite : sqlite:///{os.path.abspath(url)}",
        )
    if settings.smtp_tls not in {"none", "starttls", "ssl", "none-insecure-login"}:
        raise BadInput(
            "bad_setting", "SMTP_TLS doit valoir starttls, ssl, none ou none-insecure-login."
        )
    if settings.mail_delivery not in {"immediate", "queue"}:
        raise BadInput("bad_setting", "MAIL_DELIVERY doit valoir immediate ou queue.")
    transport = settings.resolved_mail_transport()
    if not (transport in {"smtp", "console"} or transport.startswith("file:")):
        raise BadInput("bad_setting", "MAIL_TRANSPORT doit valoir smtp, console ou file:DOSSIER.")
    if transport == "smtp" and settings.smtp_user and settings.smtp_tls == "none":
        raise BadInput(
            "bad_setting",
            "SMTP_USER est réglé mais SMTP_TLS vaut none : le mot de passe SMTP passerait en "
            "clair. Réglez SMTP_TLS=starttls (port 587) ou ssl (port 465) ; pour un relais "
            "local de confiance seulement, SMTP_TLS=none-insecure-login.",
        )
    if "@" not in settings.mail_from:
        raise BadInput("bad_setting", "MAIL_FROM doit contenir une adresse e-mail.")
    if settings.mail_lease_seconds < 30 or settings.mail_retention_days < 1:
        raise BadInput("bad_setting", "MAIL_LEASE_SECONDS >= 30, MAIL_RETENTION_DAYS >= 1.")
    if settings.password_min_score not in range(5):
        raise BadInput("bad_setting", "PASSWORD_MIN_SCORE doit être compris entre 0 et 4.")
    _validate_security(settings)


# security settings: (lowest, highest) accepted; outside, a defence would be off or absurd
SECURITY_RANGES: dict[str, tuple[int, int]] = {
    "code_ttl_update_minutes": (1, 120),
    "code_ttl_reset_minutes": (1, 60),
    "code_ttl_email_change_minutes": (1, 120),
    "code_max_attempts": (1, 10),
    "code_resend_cooldown_seconds": (0, 3600),
    "code_max_per_hour": (1, 20),
    "password_window_minutes": (1, 60),
    "lockout_threshold": (1, 20),
    "lockout_base_seconds": (1, 3600),
    "lockout_max_seconds": (1, 86_400),
    "enumeration_floor_ms": (0, 5000),
    "initial_password_days": (1, 3650),
    "web_session_idle_minutes": (1, 120),
    "web_session_max_hours": (1, 72),
    "web_rate_per_address": (1, 100_000),
    "web_rate_per_identifiant": (1, 10_000),
}
MAX_FAILED_LOGINS_PER_HOUR = 100  # OWASP ASVS 4.0.3, 2.2.1


def _validate_security(settings: Settings) -> None:
    """The security settings (codes, lockout, enumeration floor, initial passwords) within
    their ranges, and a lockout that lets at most 100 wrong passwords a hour through."""
    for name, (lowest, highest) in SECURITY_RANGES.items():
        value = getattr(settings, name)
        if not lowest <= value <= highest:
            raise BadInput(
                "bad_setting",
                f"Réglage {name.upper()} hors limites : {value} (attendu entre {lowest} et "
                f"{highest}).",
            )
    if settings.lockout_max_seconds < settings.lockout_base_seconds:
        raise BadInput(
            "bad_setting",
            "LOCKOUT_MAX_SECONDS doit être au moins égal à LOCKOUT_BASE_SECONDS.",
        )
    tries = failed_logins_per_hour(settings)
    if tries > MAX_FAILED_LOGINS_PER_HOUR:
        raise BadInput(
            "bad_setting",
            f"Verrouillage trop faible : LOCKOUT_THRESHOLD={settings.lockout_threshold}, "
            f"LOCKOUT_BASE_SECONDS={settings.lockout_base_seconds} et LOCKOUT_MAX_SECONDS="
            f"{settings.lockout_max_seconds} laissent {count(tries, 'essai')} par heure sur un "
            f"compte ({MAX_FAILED_LOGINS_PER_HOUR} au plus).",
        )


def failed_logins_per_hour(settings: Settings) -> int:
    """How many wrong passwords one account takes in an hour under the lockout schedule of
    ``services/procedures/lockout.py`` (after the threshold, a lock that doubles up to the
    ceiling), counted as an attacker who tries again the moment each lock ends."""
    elapsed, failures = 0, 0
    while elapsed < 3600 and failures <= MAX_FAILED_LOGINS_PER_HOUR:
        failures += 1
        over = failures - settings.lockout_threshold
        if over >= 0:
            elapsed += min(
                settings.lockout_base_seconds * 2 ** min(over, 32), settings.lockout_max_seconds
            )
    return failures


def replace(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, **changes)
