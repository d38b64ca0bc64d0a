"""SMS through an HTTP provider: POST a JSON message, get an id back.

The adapter speaks a small generic provider API (``POST {url}`` with ``to``, ``text``
and ``reference``; ``2xx`` with ``{"id": ...}``); a provider with another shape gets its
own subclass overriding ``request``/``parse``. 5xx, 429 and timeouts are worth retrying;
any other 4xx (an invalid number, a refused sender) will fail the same way again.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from courtier.messaging.models import Message
from courtier.messaging.transports import Transport, TransportError


class HttpSmsTransport(Transport):
    """Sends an SMS through the HTTP provider at ``settings.SMS_PROVIDER_URL``."""

    channel = "sms"

    def __init__(self, url: str = "", token: str = "", timeout: float | None = None) -> None:
        self.url = url or settings.SMS_PROVIDER_URL
        self.token = token or settings.SMS_PROVIDER_TOKEN
        self.timeout = timeout if timeout is not None else float(settings.SMS_TIMEOUT)

    def request(self, message: Message) -> urllib.request.Request:
        """The provider request for ``message``; the reference lets it drop repeats."""
        body = json.dumps(
            {"to": message.to_address, "text": message.text, "reference": str(message.public_id)}
        ).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(message.public_id)}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        # The scheme is checked in send(): only http(s) settings reach here.
        return urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310

    def send(self, message: Message) -> str:
        if not self.url.startswith(("http://", "https://")):
            raise TransportError("no SMS provider is configured (COURTIER_SMS_PROVIDER_URL)")
        try:
            with urllib.request.urlopen(self.request(message), timeout=self.timeout) as resp:  # noqa: S310 - the URL is an http(s) setting, checked above
                payload = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            retry = exc.code >= 500 or exc.code == 429
            raise TransportError(
                f"provider HTTP {exc.code}: {detail}", permanent=not retry
            ) from None
        except TimeoutError:
            raise TransportError(f"provider did not answer within {self.timeout:g}s") from None
        except (urllib.error.URLError, OSError) as exc:
            raise TransportError(f"provider unreachable: {exc}") from None
        try:
            return str(json.loads(payload)["id"])
        except (ValueError, KeyError, TypeError):
            # Accepted (2xx) but unreadable: the text went out, so do not send it again.
            return ""
