"""The beginnings of the errors the deliverer stores itself (the relay's own words aside).

:mod:`coproctl.mail.diagnosis` reads them back to explain a failure to staff.
"""

from __future__ import annotations

UNREACHABLE = "serveur d'envoi injoignable"
AUTH_REFUSED = "authentification refusée par le serveur d'envoi"
INTERRUPTED = "connexion au serveur d'envoi interrompue"
COMPOSE_FAILED = "message impossible à composer"
CODE_EXPIRED = "non envoyé : le code a expiré avant que l'envoi soit possible"
CODE_REPLACED = "non envoyé : le code a été remplacé par un nouveau code avant l'envoi"
