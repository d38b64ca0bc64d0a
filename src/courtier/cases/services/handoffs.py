"""Hand-offs: a case changes owner only with a note, and the customer is told who."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from courtier.audit.events import emit
from courtier.audit.services import log_access
from courtier.cases.models import Case, CaseInteraction, HandOff, Status
from courtier.cases.services.cases import lock_case, staff_user
from courtier.core.actor import Actor
from courtier.core.errors import Conflict, FieldError, Invalid
from courtier.interactions.models import Channel, Direction
from courtier.interactions.services import record_interaction

MAX_NOTE = 4000

_NOTICE = {
    "en": "{name} now looks after your request “{subject}”.",
    "fr": "{name} s\u2019occupe maintenant de votre demande « {subject} ».",
}


def display_name(user: User) -> str:
    """Return how a staff member is named to customers: full name, else username."""
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or user.get_username())


def tell_customer_new_owner(actor: Actor, case: Case, owner: User, now: datetime) -> None:
    """Tell the customer who now owns their request.

    The one place to switch to the messaging service once it exists; until then the
    notice is an outbound portal entry on the customer's timeline, linked to the case as
    a notice (it does not count as an answer).
    """
    template = _NOTICE.get(case.customer.language, _NOTICE["en"])
    interaction = record_interaction(
        actor,
        case.customer,
        channel=Channel.PORTAL,
        direction=Direction.OUTBOUND,
        summary=template.format(name=display_name(owner), subject=case.subject)[:300],
        occurred_at=now,
        source="cases",
    )
    CaseInteraction.objects.create(case=case, interaction=interaction, notice=True)


@transaction.atomic
def hand_off(
    actor: Actor, case: Case, *, to: str, note: str, now: datetime | None = None
) -> HandOff:
    """Give ``case`` to the staff member called ``to``, with a context note.

    Refuses (:class:`Invalid`, naming the field) an empty note, an unknown or inactive
    staff member, the current owner, or the person handing off; refuses a closed case
    (:class:`Conflict`). On success the hand-off is counted, the new owner set and the
    customer told, all in one transaction.
    """
    now = now or timezone.now()
    note = (note or "").strip()
    if not note:
        raise Invalid.field("note", "a hand-off needs a note giving the new owner the context")
    if len(note) > MAX_NOTE:
        raise Invalid.field("note", f"is longer than {MAX_NOTE} characters")
    new_owner = staff_user((to or "").strip(), "to")
    case = lock_case(case)
    if case.status == Status.CLOSED:
        raise Conflict("case_id: the case is closed", [FieldError("case_id", "the case is closed")])
    if new_owner.pk == case.owner_id:
        raise Invalid.field("to", f"{new_owner.get_username()} already owns this case")
    if new_owner.pk == actor.user_id:
        raise Invalid.field("to", "you cannot hand a case off to yourself")
    handoff = HandOff.objects.create(
        case=case,
        from_user_id=case.owner_id,
        to_user=new_owner,
        by_label=actor.label[:150],
        note=note,
        at=now,
    )
    case.owner = new_owner
    case.handoff_count += 1
    case.save(update_fields=["owner", "handoff_count"])
    tell_customer_new_owner(actor, case, new_owner, now)
    emit(
        "case.handoff",
        case.customer_id,
        {"case": str(case.public_id), "to": new_owner.get_username()},
        at=now,
    )
    log_access(
        case.customer_id,
        actor,
        "update",
        f"handed case {case.public_id} to {new_owner.get_username()}",
    )
    return handoff


def handoffs_of(case: Case) -> list[HandOff]:
    """Return the case's hand-offs, newest first: the new owner reads the last note first."""
    return list(
        HandOff.objects.filter(case=case)
        .select_related("from_user", "to_user")
        .order_by("-at", "-id")
    )
