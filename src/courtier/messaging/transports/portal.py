"""Portal messages: the row itself is the customer's inbox entry, so sending is storing."""

from __future__ import annotations

from courtier.messaging.models import Message
from courtier.messaging.transports import Transport


class PortalTransport(Transport):
    """Delivers to the customer's portal inbox (the portal lists delivered portal messages)."""

    channel = "portal"
    delivers_on_send = True

    def send(self, message: Message) -> str:
        return f"portal:{message.public_id}"
