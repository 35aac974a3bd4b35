"""The next command, for staff: the ``hint`` of the procedures' refusals.

A refusal's message is written for the owner (the same words on every face); its hint is
for staff at the shell only (the CLI prints it under the message, ``--json`` gives it, an
owner's page never shows it). Each hint is written once, here.
"""

from __future__ import annotations

from coproctl.models import ACTIVE, DISABLED, Account


def start(account: Account) -> str:
    """How a procedure starts on this account, given its status."""
    who = account.identifiant
    if account.status == DISABLED:
        return f"Compte désactivé : coproctl account enable {who} pour rétablir l'accès."
    if account.status == ACTIVE:
        return (
            f"Mot de passe oublié : coproctl password forgot {who} --email ADRESSE ; "
            f"changement d'adresse : coproctl email change {who} --email ADRESSE "
            "--confirm-email ADRESSE."
        )
    return (
        f"Première connexion : coproctl update start {who} --email ADRESSE "
        "--confirm-email ADRESSE (mot de passe du courrier)."
    )


def new_code(identifiant: str) -> str:
    return f"Nouveau code, à la même adresse : coproctl code resend {identifiant}"


def latest_code(identifiant: str) -> str:
    return (
        f"Seul le dernier code envoyé est valable (coproctl account show {identifiant}) ; "
        f"au besoin : coproctl code resend {identifiant}"
    )


def verify_first(identifiant: str) -> str:
    return f"Validez d'abord le code reçu : coproctl code verify {identifiant}"


def choose_password(identifiant: str, *, noted: bool) -> str:
    flag = " --noted" if noted else ""
    return f"Il reste à choisir le mot de passe : coproctl password set {identifiant}{flag}"


def proof_lost(identifiant: str) -> str:
    return (
        "« password set » suit « code verify » sur la même machine et avec le même compte "
        f"utilisateur. Sinon : coproctl code resend {identifiant}, puis code verify et "
        "password set ici."
    )


def procedure_again(identifiant: str) -> str:
    return (
        f"coproctl code resend {identifiant}, puis coproctl code verify {identifiant} et "
        f"coproctl password set {identifiant}"
    )
