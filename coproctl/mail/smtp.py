"""SMTP transport: one connection to the relay, reused for a whole batch.

Answers are classified as SMTP means them: 4xx is transient (try again later), 5xx is
permanent (the message fails with the server's words). A relay that cannot be reached, or
refuses the connection itself (greeting, STARTTLS, login), makes the transport
``unreachable``: that says nothing about the messages, which wait for the next run.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl

from coproctl.config import Settings
from coproctl.mail.compose import Outgoing
from coproctl.mail.reasons import (
    AUTH_REFUSED,
    INTERRUPTED,
    LOGIN_IN_CLEAR,
    TLS_FAILED,
    UNREACHABLE,
)
from coproctl.mail.transports import DeliveryError


def _words(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())


def classified(code: int, raw: bytes | str) -> DeliveryError:
    """The server's answer to one message: 5xx permanent, anything else transient."""
    return DeliveryError(
        f"{code} {_words(raw)}".strip()[:1000], permanent=500 <= code < 600, smtp_code=code
    )


# the SMTP_TLS value that allows a login over a connection that is not encrypted
INSECURE_LOGIN = "none-insecure-login"


class SmtpTransport:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None
        self._used = False  # has the current connection carried a message already?

    @property
    def where(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"

    def _tls_context(self) -> ssl.SSLContext:
        cafile = self.settings.smtp_ca_file or None
        try:
            return ssl.create_default_context(cafile=cafile)
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryError(
                f"{TLS_FAILED} ({self.where}) : certificat d'autorité illisible ({cafile}) : {exc}",
                permanent=False,
                unreachable=True,
            ) from None

    def _open(self) -> smtplib.SMTP:
        """The connection (TCP, greeting, implicit TLS), each failure said for what it is."""
        s = self.settings
        try:
            if s.smtp_tls == "ssl":
                return smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=self._tls_context()
                )
            return smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
        except ssl.SSLError as exc:  # implicit TLS: the handshake failed
            raise _tls_failed(self.where, exc) from None
        except smtplib.SMTPResponseException as exc:  # a greeting other than 220
            raise DeliveryError(
                f"{UNREACHABLE} ({self.where}) : {exc.smtp_code} {_words(exc.smtp_error)}",
                permanent=False,
                smtp_code=exc.smtp_code,
                unreachable=True,
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            reason = _words(str(exc)) or type(exc).__name__
            raise DeliveryError(
                f"{UNREACHABLE} ({self.where}) : {reason}", permanent=False, unreachable=True
            ) from None

    def _starttls(self, client: smtplib.SMTP) -> None:
        try:
            client.starttls(context=self._tls_context())
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(
                f"{TLS_FAILED} ({self.where}) : le serveur ne propose pas STARTTLS",
                permanent=False,
                unreachable=True,
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"{TLS_FAILED} ({self.where}) : STARTTLS refusé : {exc.smtp_code} "
                f"{_words(exc.smtp_error)}",
                permanent=False,
                smtp_code=exc.smtp_code,
                unreachable=True,
            ) from None
        except ssl.SSLError as exc:
            raise _tls_failed(self.where, exc) from None

    def _login(self, client: smtplib.SMTP) -> None:
        s = self.settings
        if s.smtp_tls == "none":  # (the settings refuse this too: never the password in clear)
            raise DeliveryError(
                f"{LOGIN_IN_CLEAR} ({self.where}) : réglez SMTP_TLS=starttls ou ssl "
                f"(ou {INSECURE_LOGIN} pour un relais local de confiance)",
                permanent=False,
                unreachable=True,
            )
        try:
            client.login(s.smtp_user, s.resolved_smtp_password())
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"{AUTH_REFUSED} ({self.where}) : {exc.smtp_code} {_words(exc.smtp_error)} — "
                "vérifiez SMTP_USER et SMTP_PASSWORD",
                permanent=False,
                smtp_code=exc.smtp_code,
                unreachable=True,
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(
                f"{AUTH_REFUSED} ({self.where}) : le serveur ne propose pas de connexion avec "
                "identifiant (AUTH) — SMTP_USER est-il utile ?",
                permanent=False,
                unreachable=True,
            ) from None
        except smtplib.SMTPException as exc:  # no mechanism in common
            raise DeliveryError(
                f"{AUTH_REFUSED} ({self.where}) : {_words(str(exc))}",
                permanent=False,
                unreachable=True,
            ) from None

    def _connect(self) -> smtplib.SMTP:
        client = self._open()
        try:
            if self.settings.smtp_tls == "starttls":
                self._starttls(client)
            if self.settings.smtp_user:
                self._login(client)
        except DeliveryError:
            _quietly_close(client)
            raise
        except (OSError, smtplib.SMTPException) as exc:  # the connection dropped meanwhile
            _quietly_close(client)
            reason = _words(str(exc)) or type(exc).__name__
            raise DeliveryError(
                f"{UNREACHABLE} ({self.where}) : {reason}", permanent=False, unreachable=True
            ) from None
        self._used = False
        return client

    def send(self, message: Outgoing) -> str | None:
        reused = self._client is not None and self._used
        if self._client is None:
            self._client = self._connect()
        try:
            try:
                return self._send(message)
            except smtplib.SMTPServerDisconnected as exc:
                self.close()
                if not reused:
                    raise _interrupted(exc) from None
                # a relay may drop a connection left idle between two messages: reconnect once
                self._client = self._connect()
                try:
                    return self._send(message)
                except smtplib.SMTPServerDisconnected as again:
                    self.close()
                    raise _interrupted(again) from None
        finally:
            self._used = self._client is not None

    def _send(self, message: Outgoing) -> str:
        """MAIL, RCPT, DATA (what ``sendmail`` does), keeping the relay's last answer."""
        client = self._client
        assert client is not None
        try:
            client.ehlo_or_helo_if_needed()
            options = [f"size={len(message.data)}"] if client.has_extn("size") else []
            code, raw = client.mail(message.sender, options)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, raw, message.sender)
            code, raw = client.rcpt(message.recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({message.recipient: (code, raw)})
            code, raw = client.data(message.data)
            if code != 250:
                raise smtplib.SMTPDataError(code, raw)
        except smtplib.SMTPRecipientsRefused as exc:
            code, raw = next(iter(exc.recipients.values()))
            self._after_refusal(code)
            raise classified(code, raw) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(
                f"le serveur d'envoi ne peut pas transmettre ce message : {exc}", permanent=True
            ) from None
        except smtplib.SMTPServerDisconnected:
            raise
        except smtplib.SMTPResponseException as exc:
            self._after_refusal(exc.smtp_code)
            raise classified(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise _interrupted(exc) from None
        return f"{code} {_words(raw)}".strip()[:300]

    def _after_refusal(self, code: int) -> None:
        """Keep the connection usable for the next message (421: the server closes it)."""
        if self._client is None:
            return
        if code == 421:
            self.close()
            return
        try:
            self._client.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            _quietly_close(client)


def _tls_failed(where: str, exc: ssl.SSLError) -> DeliveryError:
    reason = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or str(exc)
    return DeliveryError(
        f"{TLS_FAILED} ({where}) : {_words(str(reason))} [{type(exc).__name__}: "
        f"{_words(str(exc))[:200]}]",
        permanent=False,
        unreachable=True,
    )


def _interrupted(exc: Exception) -> DeliveryError:
    reason = _words(str(exc)) or type(exc).__name__
    return DeliveryError(f"{INTERRUPTED} : {reason}", permanent=False)


def _quietly_close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        with contextlib.suppress(OSError):
            client.close()
