"""What a merge of two customer records does to the merged record's portal sign-in.

Nothing moves: a browser signed in as the merged record must not wake up reading the
survivor's data (the customer never proved they hold the survivor's identifiers) nor keep
reading a record that is now empty. The merge signs the merged record out everywhere and
revokes its unused sign-in links and codes, in the merge's transaction, and the Merge
records how many. Unmerge does not revive them: the customer signs in again.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone

from courtier.portal.models import PortalAccount, PortalSession, SignInToken


def sign_out_merged(merged: int, survivor: int) -> dict[str, Any]:
    """End ``merged``'s portal sessions and unused tokens; return the counts (JSON).

    The same as "sign out everywhere" (generation bumped, rows dropped), plus the tokens:
    a link sent before the merge cannot start a session after an unmerge.
    """
    PortalAccount.objects.filter(customer_id=merged).update(generation=F("generation") + 1)
    sessions, _ = PortalSession.objects.filter(customer_id=merged).delete()
    tokens = SignInToken.objects.filter(customer_id=merged, used_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    return {"sessions signed out": sessions, "sign-in tokens revoked": tokens}


def register() -> None:
    """Make identity's merge sign the merged record out (called from the app's ``ready()``)."""
    from courtier.identity.services import register_on_merge

    register_on_merge("portal", sign_out_merged)
