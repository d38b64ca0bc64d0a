"""Form parsing for the messaging pages: turn POST data into what the services take."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from courtier.messaging.services.preferences import CATEGORIES, CHANNELS

TEMPLATE_FIELDS = ("purpose", "channel", "language", "category", "subject", "text", "html")


def template_data(post: QueryDict) -> dict[str, str]:
    """The template fields of a POST, as strings (missing ones empty)."""
    return {name: post.get(name, "") for name in TEMPLATE_FIELDS}


def preference_changes(post: QueryDict) -> dict[str, Any]:
    """The preference form as a change set for ``change_preferences``."""
    changes: dict[str, Any] = {
        "preferred_channel": post.get("preferred_channel", ""),
        "quiet_start": post.get("quiet_start", ""),
        "quiet_end": post.get("quiet_end", ""),
        "do_not_contact": post.get("do_not_contact") == "on",
        "consents": {
            cat: {ch: post.get(f"consent_{cat}_{ch}") == "on" for ch in CHANNELS}
            for cat in CATEGORIES
        },
    }
    return changes
