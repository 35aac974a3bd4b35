"""The beginnings of the errors the deliverer stores itself (the relay's own words aside).

:mod:`coproctl.mail.diagnosis` reads them back to explain a failure to staff.
"""

from __future__ import annotations

UNREACHABLE = "serveur d'envoi injoignable"
TLS_FAILED = "négociation TLS impossible avec le serveur d'envoi"
AUTH_REFUSED = "authentification refusée par le serveur d'envoi"
LOGIN_IN_CLEAR = "identifiants SMTP non envoyés : la connexion n'est pas chiffrée"
INTERRUPTED = "connexion au serveur d'envoi interrompue"
COMPOSE_FAILED = "message impossible à composer"
CODE_UNREADABLE = "code illisible : la clé secrète de l'instance a changé depuis la mise en file"
CODE_EXPIRED = "non envoyé : le code a expiré avant que l'envoi soit possible"
CODE_REPLACED = "non envoyé : le code a été remplacé par un nouveau code avant l'envoi"
