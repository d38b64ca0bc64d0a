"""Channel transports behind one small contract.

A transport sends one rendered ``Message`` and returns the provider's id for it, or
raises :class:`TransportError` saying whether trying again could help (``permanent``).
A transport opens what it needs on its first ``send`` and keeps it until ``close``, which
the worker calls after each batch, so one SMTP session serves a whole batch.
Adding a channel: a module here with a ``Transport`` subclass, registered in
``default_transports``.
"""

from __future__ import annotations

from courtier.messaging.models import Message


class TransportError(Exception):
    """A send that failed; ``permanent`` means retrying cannot succeed (a bad address)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Transport:
    """Sends messages on one channel."""

    channel = ""
    # A portal message is in the customer's inbox the moment it is stored.
    delivers_on_send = False

    def close(self) -> None:
        """End a batch; must not raise."""

    def send(self, message: Message) -> str:
        """Send ``message``; return the provider's id or raise :class:`TransportError`."""
        raise NotImplementedError


def default_transports() -> dict[str, Transport]:
    """One transport per channel, configured from settings."""
    from courtier.messaging.transports.email import EmailTransport
    from courtier.messaging.transports.portal import PortalTransport
    from courtier.messaging.transports.sms import HttpSmsTransport

    return {"email": EmailTransport(), "sms": HttpSmsTransport(), "portal": PortalTransport()}
