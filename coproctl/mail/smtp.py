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
from coproctl.mail.reasons import AUTH_REFUSED, INTERRUPTED, UNREACHABLE
from coproctl.mail.transports import DeliveryError


def _words(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())


def classified(code: int, raw: bytes | str) -> DeliveryError:
    """The server's answer to one message: 5xx permanent, anything else transient."""
    return DeliveryError(
        f"{code} {_words(raw)}".strip()[:1000], permanent=500 <= code < 600, smtp_code=code
    )


class SmtpTransport:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None
        self._used = False  # has the current connection carried a message already?

    def _tls_context(self) -> ssl.SSLContext:
        cafile = self.settings.smtp_ca_file or None
        try:
            return ssl.create_default_context(cafile=cafile)
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryError(
                f"{UNREACHABLE} : certificat d'autorité illisible ({cafile}) : {exc}",
                permanent=False,
                unreachable=True,
            ) from None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.smtp_host}:{s.smtp_port}"
        client: smtplib.SMTP | None = None
        try:
            if s.smtp_tls == "ssl":
                client = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=self._tls_context()
                )
            else:
                client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
                if s.smtp_tls == "starttls":
                    client.starttls(context=self._tls_context())
            if s.smtp_user:
                client.login(s.smtp_user, s.smtp_password)
        except smtplib.SMTPAuthenticationError as exc:
            _quietly_close(client)
            raise DeliveryError(
                f"{AUTH_REFUSED} ({where}) : {exc.smtp_code} {_words(exc.smtp_error)} — "
                "vérifiez SMTP_USER et SMTP_PASSWORD",
                permanent=False,
                smtp_code=exc.smtp_code,
                unreachable=True,
            ) from None
        except smtplib.SMTPResponseException as exc:
            _quietly_close(client)
            raise DeliveryError(
                f"{UNREACHABLE} ({where}) : {exc.smtp_code} {_words(exc.smtp_error)}",
                permanent=False,
                smtp_code=exc.smtp_code,
                unreachable=True,
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            _quietly_close(client)
            reason = _words(str(exc)) or type(exc).__name__
            raise DeliveryError(
                f"{UNREACHABLE} ({where}) : {reason}", permanent=False, unreachable=True
            ) from None
        self._used = False
        return client

    def send(self, message: Outgoing) -> None:
        reused = self._client is not None and self._used
        if self._client is None:
            self._client = self._connect()
        try:
            try:
                self._send(message)
            except smtplib.SMTPServerDisconnected as exc:
                self.close()
                if not reused:
                    raise _interrupted(exc) from None
                # a relay may drop a connection left idle between two messages: reconnect once
                self._client = self._connect()
                try:
                    self._send(message)
                except smtplib.SMTPServerDisconnected as again:
                    self.close()
                    raise _interrupted(again) from None
        finally:
            self._used = self._client is not None

    def _send(self, message: Outgoing) -> None:
        client = self._client
        assert client is not None
        try:
            refused = client.sendmail(message.sender, [message.recipient], message.data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, raw = next(iter(exc.recipients.values()))
            self._after_refusal(code)
            raise classified(code, raw) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(
                f"le serveur d'envoi ne peut pas transmettre ce message : {exc}", permanent=True
            ) from None
        except smtplib.SMTPServerDisconnected:
            raise
        except smtplib.SMTPResponseException as exc:
            self._after_refusal(exc.smtp_code)
            raise classified(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise _interrupted(exc) from None
        if refused:  # one recipient only: not reached, kept for safety
            code, raw = next(iter(refused.values()))
            raise classified(code, raw)

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


def _interrupted(exc: Exception) -> DeliveryError:
    reason = _words(str(exc)) or type(exc).__name__
    return DeliveryError(f"{INTERRUPTED} : {reason}", permanent=False)


def _quietly_close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        with contextlib.suppress(OSError):
            client.close()
