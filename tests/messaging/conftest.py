"""Templates every messaging test can rely on (welcome in en and fr, a proactive notice),
and the inbound SMTP endpoint on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from courtier.core.actor import Actor
from courtier.messaging.inbound_smtp import InboundSmtpServer
from courtier.messaging.models import Template
from courtier.messaging.services.templates import save_template
from tests.messaging.servers import free_port


@pytest.fixture
def welcome(db: None, system: Actor) -> list[Template]:
    rows = [
        {
            "purpose": "welcome",
            "channel": "email",
            "language": "en",
            "subject": "Welcome, {{ customer.address }}",
            "text": "Your account {{ account }} is ready.",
            "html": "<p>Your account <b>{{ account }}</b> is ready.</p>",
        },
        {
            "purpose": "welcome",
            "channel": "email",
            "language": "fr",
            "subject": "Bienvenue, {{ customer.address }}",
            "text": "Votre compte {{ account }} est prêt.",
            "html": "<p>Votre compte <b>{{ account }}</b> est prêt.</p>",
        },
        {
            "purpose": "welcome",
            "channel": "sms",
            "language": "en",
            "text": "your account {{ account }} is ready.",
        },
        {
            "purpose": "welcome",
            "channel": "portal",
            "language": "en",
            "text": "Your account {{ account }} is ready.",
        },
    ]
    return [save_template(system, row) for row in rows]


@pytest.fixture
def endpoint() -> Iterator[InboundSmtpServer]:
    """``courtier inbound-smtp``'s server, storing on a database thread of its own."""
    server = InboundSmtpServer("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()
