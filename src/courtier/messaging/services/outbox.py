"""The outbox: message rows written with the change that causes them, read by the worker."""

from __future__ import annotations

from typing import Any

from courtier.messaging.models import Message


def card_messages(customer_id: int) -> list[dict[str, Any]]:
    """The customer's last messages for the card: each decision and its delivery state."""
    rows = Message.objects.filter(customer_id=customer_id).order_by("-created_at", "-id")[:10]
    return [
        {
            "id": str(m.public_id),
            "purpose": m.purpose,
            "channel": m.channel,
            "state": m.state,
            "decision": m.decision,
            "created_at": m.created_at.isoformat(),
        }
        for m in rows
    ]
