"""Staff review of duplicate proposals, side by side; merge and unmerge. Thin: services decide."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from courtier.audit.services import log_access
from courtier.core.errors import DomainError
from courtier.customers.models import Customer
from courtier.customers.services.facts import profile_of
from courtier.identity.models import MatchProposal, Merge, ProposalStatus
from courtier.identity.services import merging
from courtier.staff.services import actor_of

PAGE = 100


def _proposal(proposal_id: uuid.UUID) -> MatchProposal:
    found = (
        MatchProposal.objects.select_related("left", "right").filter(public_id=proposal_id).first()
    )
    if found is None:
        raise Http404("No proposal has this id.")
    return found


def _side(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    log_access(customer.pk, actor_of(request), "view", "duplicate review")
    return {
        "customer": customer,
        "identifiers": list(customer.identifiers.order_by("kind", "id")),
        "profile": profile_of(customer),
        "interactions": customer.interactions.count(),
    }


@staff_member_required
def queue(request: HttpRequest) -> HttpResponse:
    """Pending proposals, most likely duplicates first."""
    pending = (
        MatchProposal.objects.filter(status=ProposalStatus.PENDING)
        .select_related("left", "right")
        .order_by("-probability", "id")[:PAGE]
    )
    return render(request, "identity/queue.html", {"proposals": pending})


@staff_member_required
def proposal(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    """Two records side by side, with the score and each field's reason."""
    found = _proposal(proposal_id)
    context = {
        "proposal": found,
        "left": _side(request, found.left),
        "right": _side(request, found.right),
    }
    return render(request, "identity/proposal.html", context)


@staff_member_required
@require_POST
def merge(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    found = _proposal(proposal_id)
    try:
        record = merging.accept_proposal(actor_of(request), found)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("identity:proposal", proposal_id=proposal_id)
    messages.success(request, f"Merged {found.right.display_name} into {found.left.display_name}.")
    return redirect("identity:merge-detail", merge_id=record.public_id)


@staff_member_required
@require_POST
def reject(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    try:
        merging.reject_proposal(actor_of(request), _proposal(proposal_id))
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("identity:proposal", proposal_id=proposal_id)
    messages.success(request, "Recorded as different people.")
    return redirect("identity:queue")


def _merge(merge_id: uuid.UUID) -> Merge:
    found = Merge.objects.select_related("survivor", "merged").filter(public_id=merge_id).first()
    if found is None:
        raise Http404("No merge has this id.")
    return found


@staff_member_required
def merge_detail(request: HttpRequest, merge_id: uuid.UUID) -> HttpResponse:
    """What a merge moved, and the button to undo it."""
    record = _merge(merge_id)
    return render(
        request,
        "identity/merge.html",
        {"merge": record, "counts": merging.moved_counts(record.moved)},
    )


@staff_member_required
@require_POST
def unmerge(request: HttpRequest, merge_id: uuid.UUID) -> HttpResponse:
    record = _merge(merge_id)
    try:
        merging.unmerge(actor_of(request), record)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "Merge undone: both records are as they were.")
    return redirect("identity:merge-detail", merge_id=merge_id)
