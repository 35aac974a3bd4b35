"""What a delivery failure means, in French a staff member can read to the owner.

The guide's own support cases: a full mailbox ("boîte pleine"), a mistyped address
("adresse erronée"), an anti-spam filter, a slow or broken network. The diagnosis reads the
SMTP reply code, the enhanced status code in the server's words (RFC 3463: ``5.2.2``), and
the beginning of the errors this program writes itself.
"""

from __future__ import annotations

import re

from coproctl.mail.reasons import (
    AUTH_REFUSED,
    CODE_REPLACED,
    CODE_UNREADABLE,
    COMPOSE_FAILED,
    INTERRUPTED,
    LOGIN_IN_CLEAR,
    TLS_FAILED,
    UNREACHABLE,
)
from coproctl.typography import NBSP

_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
# the words relays use when they give no enhanced status code
_FULL = re.compile(r"mailbox (is )?full|over ?quota|quota exceeded|boîte pleine", re.I)
_SPAM = re.compile(r"spam|blacklist|blocklist|indésirable|reputation", re.I)
_UNKNOWN = re.compile(
    r"user unknown|unknown user|no such (user|mailbox)|does not exist|invalid recipient", re.I
)

MAILBOX_FULL = (
    "Boîte de réception pleine : le propriétaire doit faire de la place dans sa messagerie "
    "(supprimer des messages anciens ou volumineux), puis demander un nouveau code ; sinon, "
    "donner une autre adresse."
)
UNKNOWN_ADDRESS = (
    "Adresse inconnue chez le fournisseur du destinataire : elle est sans doute mal saisie. "
    "Relisez-la lettre par lettre avec le propriétaire (avant et après le @), puis "
    "recommencez avec l'adresse corrigée."
)
UNKNOWN_DOMAIN = (
    "Le domaine de l'adresse (après le @) n'existe pas ou ne reçoit pas de courrier : "
    "vérifiez-le avec le propriétaire (orange.fr, gmail.com...), puis recommencez avec "
    "l'adresse corrigée."
)
SPAM = (
    "Message refusé comme indésirable (anti-spam) par la messagerie du destinataire : le "
    "propriétaire doit autoriser notre adresse d'envoi dans son filtre (MailInBlack ou "
    "autre) ou donner une autre adresse. Prévenez aussi le service informatique."
)
UNREACHABLE_HINT = (
    "Notre serveur d'envoi était injoignable (connexion impossible : serveur arrêté, "
    "SMTP_HOST ou SMTP_PORT erronés, réseau) : rien n'a pu partir. Le message est renvoyé "
    "automatiquement ; si cela dure, prévenez le service informatique."
)
TLS_HINT = (
    "La connexion chiffrée (TLS) avec notre serveur d'envoi a échoué : certificat non "
    "reconnu (réglage SMTP_CA_FILE), STARTTLS non proposé par le serveur, ou mode et port "
    "incohérents (SMTP_TLS=starttls avec le port 587, ssl avec le port 465). Rien n'est parti "
    "en clair ; prévenez le service informatique. Le message est renvoyé automatiquement."
)
AUTH_HINT = (
    "Notre serveur d'envoi a refusé nos identifiants (réglages SMTP_USER et SMTP_PASSWORD) : "
    "prévenez le service informatique. Le message est renvoyé automatiquement."
)
LOGIN_IN_CLEAR_HINT = (
    "Nos identifiants SMTP ne sont jamais envoyés sur une connexion non chiffrée : réglez "
    "SMTP_TLS=starttls ou ssl (ou none-insecure-login pour un relais local de confiance). "
    "Prévenez le service informatique. Le message est renvoyé automatiquement."
)
CODE_UNREADABLE_HINT = (
    "Le code de ce message ne peut plus être lu (la clé secrète de l'instance a changé "
    "depuis) : il n'a pas été envoyé. Faites demander un nouveau code (« coproctl code "
    "resend »)."
)
DEFERRED = (
    "La messagerie du destinataire demande de réessayer plus tard (encombrement, "
    "vérification anti-spam) : nouvel essai automatique, rien à faire pour l'instant."
)
REFUSED = (
    "Refusé par la messagerie du destinataire (voir l'erreur) : vérifiez l'adresse avec le "
    "propriétaire ou demandez-lui une autre adresse."
)
EXPIRED = (
    "Le code n'était plus valable quand l'envoi a été possible : il n'a pas été envoyé. "
    "Faites demander un nouveau code (« coproctl code resend »)."
)
REPLACED = "Pas envoyé : un code plus récent a été demandé entre-temps (voir le message suivant)."
UNUSABLE_ADDRESS = (
    "Cette adresse ne peut pas recevoir nos messages (caractères non acceptés) : vérifiez-la "
    "avec le propriétaire et demandez-lui une adresse sans accent ni espace."
)
GAVE_UP = (
    "Aucun envoi possible pendant 24 heures : vérifiez l'adresse avec le propriétaire, puis "
    "faites demander un nouveau code ou prévenez le service informatique."
)


def enhanced_code(error: str | None) -> tuple[int, int, int] | None:
    """``5.2.2`` in the server's words, as (5, 2, 2)."""
    found = _ENHANCED.search(error or "")
    if found is None:
        return None
    klass, subject, detail = found.groups()
    return int(klass), int(subject), int(detail)


_AUTH_CODES = frozenset({530, 534, 535, 538})  # the relay refused our credentials

# what went wrong, as a stable name: the one classification that both the staff hints
# (:func:`hint`) and ``stats`` (:func:`cause_group`) read
HINTS: dict[str, str] = {
    "replaced": REPLACED,
    "expired": EXPIRED,
    "unusable_address": UNUSABLE_ADDRESS,
    "code_unreadable": CODE_UNREADABLE_HINT,
    "tls_failed": TLS_HINT,
    "login_in_clear": LOGIN_IN_CLEAR_HINT,
    "auth_refused": AUTH_HINT,
    "unreachable": UNREACHABLE_HINT,
    "mailbox_full": MAILBOX_FULL,
    "deferred": DEFERRED,
    "gave_up": GAVE_UP,
    "spam": SPAM,
    "unknown_domain": UNKNOWN_DOMAIN,
    "unknown_address": UNKNOWN_ADDRESS,
    "refused": REFUSED,
}

# the guide's words for a failure, as ``stats`` counts them
GROUPS: dict[str, str] = {
    "mailbox_full": "mailbox_full",  # « boîte pleine »
    "spam": "spam",  # « anti-spam »
    "unknown_address": "bad_address",  # « adresse erronée »
    "unknown_domain": "bad_address",
    "unusable_address": "bad_address",
    "unreachable": "unreachable",  # our relay: unreachable, TLS, or refusing our login
    "tls_failed": "unreachable",
    "login_in_clear": "unreachable",
    "auth_refused": "unreachable",
    "deferred": "temporary",  # 4xx answers (until we gave up)
    "gave_up": "temporary",
}
CAUSE_GROUPS = ("mailbox_full", "spam", "bad_address", "unreachable", "temporary", "other")


def _starts(text: str, prefix: str) -> bool:
    """Whether a stored error begins with one of ours, whatever its spaces: errors stored
    before the no-break spaces of French typography still read the same."""
    return text.replace(NBSP, " ").startswith(prefix.replace(NBSP, " "))


def diagnose(status: str, smtp_code: int | None, error: str | None) -> str | None:
    """The name of what went wrong with a message, or None when nothing did."""
    text = error or ""
    if status == "expired":
        return "replaced" if _starts(text, CODE_REPLACED) else "expired"
    if status not in {"queued", "failed"} or not (error or smtp_code):
        return None
    if _starts(text, COMPOSE_FAILED):
        return "unusable_address"
    if _starts(text, CODE_UNREADABLE):
        return "code_unreadable"
    if _starts(text, TLS_FAILED):
        return "tls_failed"
    if _starts(text, LOGIN_IN_CLEAR):
        return "login_in_clear"
    if _starts(text, AUTH_REFUSED) or smtp_code in _AUTH_CODES:
        return "auth_refused"
    if _starts(text, UNREACHABLE) or _starts(text, INTERRUPTED):
        return "unreachable"
    enhanced = enhanced_code(text)
    subject = enhanced[1:] if enhanced else None
    if subject == (2, 2) or smtp_code in {452, 552} or _FULL.search(text):
        return "mailbox_full"
    permanent = smtp_code is not None and 500 <= smtp_code < 600
    if not permanent:
        return "deferred" if status == "queued" else "gave_up"
    if (subject is not None and subject[0] == 7) or _SPAM.search(text):
        return "spam"
    if smtp_code == 554 and subject is None:
        return "spam"
    if subject in {(1, 2), (4, 4)}:
        return "unknown_domain"
    if subject in {(1, 1), (1, 3), (1, 6)} or _UNKNOWN.search(text):
        return "unknown_address"
    if smtp_code in {550, 551} and subject is None:
        return "unknown_address"
    return "refused"


def hint(status: str, smtp_code: int | None, error: str | None) -> str | None:
    """The hint for a message's state, or None when there is nothing to explain."""
    name = diagnose(status, smtp_code, error)
    return HINTS[name] if name is not None else None


def cause_group(status: str, smtp_code: int | None, error: str | None) -> str:
    """The group ``stats`` counts a failed or retried message in."""
    name = diagnose(status, smtp_code, error)
    return GROUPS.get(name or "", "other")
