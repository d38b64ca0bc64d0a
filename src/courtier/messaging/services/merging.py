"""What a merge of two customer records does to messages, preferences and consent.

A merge is a staff member's conclusion, not the customer's word, so it never widens what
the customer allowed: where both records hold a consent for the same category and channel
and they differ, the refusal wins, and a "do not contact" on either record holds for the
survivor. Everything else moves to the survivor (the outbox, the inbound log, the history
of preference changes). Unmerge restores exactly what was there (``identity`` records it).
"""

from __future__ import annotations

from typing import Any

from courtier.messaging.models import Consent, Inbound, Message, Preference, PreferenceChange


def consent_on_merge(kept: Consent, other: Consent) -> dict[str, Any]:
    """The survivor's consent for a pair both records hold: a refusal on either wins."""
    return {"granted": kept.granted and other.granted}


def preference_on_merge(kept: Preference, other: Preference) -> dict[str, Any]:
    """The survivor keeps its own preferences, but "do not contact" on either record holds."""
    return {"do_not_contact": kept.do_not_contact or other.do_not_contact}


def register() -> None:
    """Make identity's merge move this app's rows (called from the app's ``ready()``)."""
    from courtier.identity.services import register_repointer

    register_repointer("messages", Message)
    register_repointer("inbound", Inbound)
    register_repointer("preference_changes", PreferenceChange)
    register_repointer(
        "consents", Consent, one_per=("category", "channel"), combine=consent_on_merge
    )
    register_repointer("preferences", Preference, one_per=(), combine=preference_on_merge)
