"""A customer's reply joins the case it answers: the cases app's inbound case linker.

Messaging records an inbound email or SMS on the timeline and asks each registered
linker which case it belongs to (``messaging.services.inbound.register_case_linker``;
``CasesConfig.ready`` registers this one). A reply names its case in one of two ways:

- it answers one of our messages (In-Reply-To / References) whose context says
  ``"case": "<public id>"``, as the hand-off notice and case updates do;
- its subject carries the reference in brackets, ``[case <public id>]`` (or
  ``[dossier …]``, ``[#…]``), for a customer who writes anew but quotes it.

Only the sender's own case counts, and a closed one is never reopened this way; a
resolved one is (the customer answered: ``cases.customer_replied``). Anything else is
left unlinked for staff to attach.
"""

from __future__ import annotations

import re
import uuid

from courtier.cases.models import Case, Status
from courtier.cases.services.cases import attach_interaction
from courtier.core.actor import Actor
from courtier.messaging.services.inbound import Reply

INBOUND = Actor.system("inbound")
_SUBJECT_REF = re.compile(
    r"\[\s*(?:case|dossier|demande|request)?\s*#?\s*"
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*\]",
    re.IGNORECASE,
)


def _references(reply: Reply) -> list[uuid.UUID]:
    named = [str(c.get("case", "")) for c in reply.answered if isinstance(c, dict)]
    named += _SUBJECT_REF.findall(reply.subject)
    refs: list[uuid.UUID] = []
    for text in named:
        try:
            refs.append(uuid.UUID(text))
        except ValueError:
            continue  # not one of our case ids (another linker's reference, or junk)
    return refs


def link_reply(reply: Reply) -> str | None:
    """Attach ``reply`` to the sender's case it names; return the case's public id.

    Runs inside the transaction that recorded the reply, so the link and the reply
    commit together.
    """
    for ref in _references(reply):
        case = (
            Case.objects.filter(public_id=ref, customer_id=reply.customer.pk)
            .exclude(status=Status.CLOSED)
            .first()
        )
        if case is not None:
            attach_interaction(INBOUND, case, reply.interaction)
            return str(case.public_id)
    return None
