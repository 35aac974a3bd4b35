"""SMTP transport: one connection reused for a whole batch.

Answers are classified as SMTP means them: 4xx is transient (try again later), 5xx is
permanent (the message fails with the server's words); a server that cannot be reached is
transient.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from coproctl.config import Settings
from coproctl.mail.transports import DeliveryError


def _words(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())


def _classified(code: int, raw: bytes | str) -> DeliveryError:
    return DeliveryError(f"{code} {_words(raw)}", permanent=500 <= code < 600, smtp_code=code)


class SmtpTransport:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.smtp_tls == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.smtp_host,
                    s.smtp_port,
                    timeout=s.smtp_timeout,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
                if s.smtp_tls == "starttls":
                    client.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                client.login(s.smtp_user, s.smtp_password)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"authentification SMTP refusée : {exc.smtp_code} {_words(exc.smtp_error)}",
                permanent=False,
                smtp_code=exc.smtp_code,
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise _classified(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(
                f"serveur de messagerie injoignable ({s.smtp_host}:{s.smtp_port}) : {exc}",
                permanent=False,
            ) from None
        return client

    def send(self, message: EmailMessage) -> None:
        if self._client is None:
            self._client = self._connect()
        try:
            refused = self._client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, raw = next(iter(exc.recipients.values()))
            self._reset()
            raise _classified(code, raw) from None
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise _classified(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise DeliveryError(f"connexion SMTP interrompue : {exc}", permanent=False) from None
        if refused:
            code, raw = next(iter(refused.values()))
            raise _classified(code, raw)

    def _reset(self) -> None:
        """After a refused message, make the connection usable for the next one."""
        if self._client is None:
            return
        try:
            self._client.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (OSError, smtplib.SMTPException):
                self._client.close()
            self._client = None
