"""What a merge of two customer records does to firings, tags and webhook calls.

Exactly once survives a merge because firings move with the rows their occurrence names:
an agreement's or a request's occurrence key (``agreement:<id>:renewal:<date>``,
``case:<id>:resolved:<time>``) follows the agreement or request to the survivor, so its
firing must go too, or the rule would find the survivor without one and act again (the
message key and the task origin name the customer, so they would not catch it). Keys that
name no row (``birthday:2026``) are the person's: the merged record's firing tells the rule
it already greeted this person this year. Where both records hold a firing for the same
rule and occurrence, the survivor keeps its own and the other stays on the merged record,
so unmerge gives each record back its own. Tags merge the same way (each tag once);
webhook calls move. Unmerge restores exactly what was there (``identity`` records it).
"""

from __future__ import annotations

from courtier.journeys.models import CustomerTag, Firing, WebhookCall


def register() -> None:
    """Make identity's merge move this app's rows (called from the app's ``ready()``)."""
    from courtier.identity.services import register_repointer

    register_repointer("firings", Firing, one_per=("rule_id", "occurrence"))
    register_repointer("tags", CustomerTag, one_per=("tag",))
    register_repointer("webhook_calls", WebhookCall)
