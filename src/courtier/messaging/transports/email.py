"""Email over SMTP through Django's email framework.

Each message carries a Message-ID derived from its public id, identical on every retry,
so a receiver (or our own inbound side) can drop a repeat: SMTP cannot commit together
with our database, so after a crash between the server's "250 OK" and our commit the
same message may be handed over again, and this id is what makes that harmless.
"""

from __future__ import annotations

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from courtier.messaging.models import Message
from courtier.messaging.services.style import unsubscribe_url
from courtier.messaging.transports import Transport, TransportError


class EmailTransport(Transport):
    """Sends multipart (text + HTML) email with List-Unsubscribe and Content-Language."""

    channel = "email"

    def __init__(self) -> None:
        self.connection: BaseEmailBackend | None = None

    def open(self) -> None:
        # Opened here, not by send(): Django then reuses it for the whole batch instead
        # of a new SMTP session (connect, EHLO, QUIT) per message.
        self.connection = get_connection(fail_silently=False)
        try:
            self.connection.open()
        except (smtplib.SMTPException, OSError) as exc:
            self.connection = None
            raise TransportError(f"SMTP connection failed: {exc}") from None

    def close(self) -> None:
        if self.connection is not None:
            # The server may have gone away; the next batch opens a new connection.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def build(self, message: Message) -> EmailMultiAlternatives:
        """The email as it will be sent (exposed for tests and previews)."""
        unsubscribe = unsubscribe_url(str(message.customer.public_id), message.category)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to_address],
            connection=self.connection,
            headers={
                "Message-ID": message.message_id,
                "Content-Language": message.language,
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "X-Courtier-Purpose": message.purpose,
            },
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        return email

    def send(self, message: Message) -> str:
        if self.connection is None:
            self.open()
        try:
            self.build(message).send()
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            raise TransportError(f"recipient refused: {exc.recipients}", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            raw = exc.smtp_error
            detail = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
            # 5xx is the server's final no; 4xx (greylisting, busy) may pass later.
            raise TransportError(
                f"SMTP {exc.smtp_code}: {detail}", permanent=exc.smtp_code >= 500
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransportError(f"SMTP connection failed: {exc}") from None
        return message.message_id
