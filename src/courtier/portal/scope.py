"""The one door from the portal to a customer's data.

Every portal page and write starts from ``customer_scope(request)``; its methods return
querysets already filtered to the signed-in customer, and its ``*_by_id`` methods answer
:class:`NotFound` for an id that is another customer's exactly as for one that does not
exist (same query, same message). Nothing else in ``portal/`` looks a row up by id.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from courtier.audit.models import AccessLog
from courtier.audit.services import accesses
from courtier.cases.models import ACTIVE_STATUSES, Case
from courtier.core.errors import NotFound
from courtier.customers.models import Customer, Fact, Identifier
from courtier.interactions.models import Interaction
from courtier.interactions.services import timeline
from courtier.messaging.models import Message, PreferenceChange, State
from courtier.messaging.services.outbox import message_log
from courtier.messaging.services.preferences import preference_history
from courtier.promises.models import Agreement, AgreementStatus, Promise
from courtier.promises.models import State as PromiseState
from courtier.promises.services.agreements import agreements_of

RENEWAL_HORIZON = timedelta(days=90)
SHOWN_STATES = (State.QUEUED, State.SENDING, State.SENT, State.DELIVERED, State.FAILED)


class NotSignedIn(Exception):
    """The request carries no valid portal session."""


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


class CustomerScope:
    """What the signed-in customer may see: their own rows and nothing else."""

    def __init__(self, customer: Customer) -> None:
        self.customer = customer

    # -- lists -----------------------------------------------------------------------
    def identifiers(self) -> QuerySet[Identifier]:
        return Identifier.objects.filter(customer=self.customer).order_by("kind", "id")

    def facts(self) -> QuerySet[Fact]:
        return Fact.objects.filter(customer=self.customer, retracted_at=None).order_by(
            "key", "-observed_at", "-id"
        )

    def cases(self) -> QuerySet[Case]:
        return (
            Case.objects.filter(customer=self.customer)
            .select_related("owner")
            .order_by("-opened_at", "-id")
        )

    def open_cases(self) -> QuerySet[Case]:
        return self.cases().filter(status__in=ACTIVE_STATUSES)

    def agreements(self) -> QuerySet[Agreement]:
        return agreements_of(self.customer)

    def upcoming_renewals(self, today: date | None = None) -> QuerySet[Agreement]:
        today = today or timezone.localdate()
        return self.agreements().filter(
            status=AgreementStatus.ACTIVE,
            effective_renewal_date__range=(today, today + RENEWAL_HORIZON),
        )

    def promises(self) -> QuerySet[Promise]:
        return (
            Promise.objects.filter(customer=self.customer)
            .select_related("case", "agreement")
            .order_by("-made_at", "-id")
        )

    def pending_promises(self) -> QuerySet[Promise]:
        return self.promises().filter(state=PromiseState.PENDING)

    def messages(self) -> QuerySet[Message]:
        """Messages we sent or are sending (a suppressed one was never sent)."""
        return (
            message_log(self.customer).filter(state__in=SHOWN_STATES).order_by("-created_at", "-id")
        )

    def accesses(self) -> QuerySet[AccessLog]:
        return accesses(self.customer.pk)

    def preference_history(self) -> QuerySet[PreferenceChange]:
        return preference_history(self.customer)

    def timeline(self) -> QuerySet[Interaction]:
        return timeline(self.customer)

    # -- one row by public id ------------------------------------------------------------
    def fact_by_id(self, public_id: Any) -> Fact:
        pid = _uuid(public_id)
        found = self.facts().filter(public_id=pid).first() if pid else None
        if found is None:
            raise NotFound("Nothing here has this id.")
        return found

    def case_by_id(self, public_id: Any) -> Case:
        pid = _uuid(public_id)
        found = self.cases().filter(public_id=pid).first() if pid else None
        if found is None:
            raise NotFound("Nothing here has this id.")
        return found


def customer_scope(request: HttpRequest) -> CustomerScope:
    """The scope of the customer signed in on this request; raise :class:`NotSignedIn`."""
    signed_in = getattr(request, "portal", None)
    if signed_in is None:
        raise NotSignedIn
    return CustomerScope(signed_in.customer)
