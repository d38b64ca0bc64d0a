"""The identity API: candidates for a person's details, the review queue, merge and unmerge."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from courtier.core.errors import NotFound
from courtier.customers.schemas import Problem, Strict
from courtier.identity.models import MatchProposal, Merge, ProposalStatus
from courtier.identity.services import matching, merging
from courtier.identity.services.model import current_scorer
from courtier.staff.services import actor_of

router = Router(tags=["identity"])
ERRORS: dict[int, Any] = {400: Problem, 404: Problem, 409: Problem, 422: Problem}


class DetailsIn(Strict):
    given_name: str = Field("", max_length=320)
    family_name: str = Field("", max_length=320)
    name: str = Field("", max_length=320)
    phone: str = Field("", max_length=320)
    phones: list[str] = Field(default_factory=list, max_length=10)
    email: str = Field("", max_length=320)
    emails: list[str] = Field(default_factory=list, max_length=10)
    birth_date: str = Field("", max_length=32)
    postal_code: str = Field("", max_length=32)
    postal_address: str = Field("", max_length=320)


class ProposalOut(Schema):
    id: str
    left_id: str
    right_id: str
    left_name: str
    right_name: str
    probability: float
    reasons: list[dict[str, Any]]
    status: str
    source: str


class MergeOut(Schema):
    id: str
    survivor_id: str
    merged_id: str
    moved: dict[str, Any]
    unmerged: bool


def _proposal(p: MatchProposal) -> dict[str, Any]:
    return {
        "id": str(p.public_id),
        "left_id": str(p.left.public_id),
        "right_id": str(p.right.public_id),
        "left_name": p.left.display_name,
        "right_name": p.right.display_name,
        "probability": p.probability,
        "reasons": p.reasons,
        "status": p.status,
        "source": p.source,
    }


def _merge(m: Merge) -> dict[str, Any]:
    return {
        "id": str(m.public_id),
        "survivor_id": str(m.survivor.public_id),
        "merged_id": str(m.merged.public_id),
        "moved": m.moved,
        "unmerged": m.unmerged_at is not None,
    }


@router.post("/identity/candidates", response={200: list[dict[str, Any]], **ERRORS})
def candidates(request: HttpRequest, payload: DetailsIn) -> Any:
    """Ranked candidates (probability and reasons) for details that match nothing exactly."""
    return [c.as_dict() for c in matching.match(payload.model_dump())]


@router.get("/identity/model", response={200: dict[str, Any], **ERRORS})
def model(request: HttpRequest) -> Any:
    """The weights in use: m, u and the weight in bits of every comparison level."""
    return current_scorer().model.describe()


@router.get("/identity/proposals", response={200: list[ProposalOut], **ERRORS})
def proposals(request: HttpRequest, status: str = "pending", limit: int = 50) -> Any:
    """The review queue, most likely duplicates first."""
    qs = MatchProposal.objects.filter(status=status).select_related("left", "right")
    return [_proposal(p) for p in qs.order_by("-probability", "id")[: max(1, min(limit, 200))]]


def _get_proposal(proposal_id: uuid.UUID) -> MatchProposal:
    found = (
        MatchProposal.objects.select_related("left", "right").filter(public_id=proposal_id).first()
    )
    if found is None:
        raise NotFound("No proposal has this id.")
    return found


@router.post("/identity/proposals/{proposal_id}/merge", response={201: MergeOut, **ERRORS})
def accept(request: HttpRequest, proposal_id: uuid.UUID) -> Any:
    """Merge the two records of a proposal (the older survives)."""
    record = merging.accept_proposal(actor_of(request), _get_proposal(proposal_id))
    return Status(201, _merge(record))


@router.post("/identity/proposals/{proposal_id}/reject", response={200: ProposalOut, **ERRORS})
def reject(request: HttpRequest, proposal_id: uuid.UUID) -> Any:
    """Record that the two records are different people."""
    merging.reject_proposal(actor_of(request), _get_proposal(proposal_id))
    return _proposal(_get_proposal(proposal_id))


class MergeIn(Strict):
    survivor_id: uuid.UUID
    merged_id: uuid.UUID


@router.post("/identity/merges", response={201: MergeOut, **ERRORS})
def merge(request: HttpRequest, payload: MergeIn) -> Any:
    """Merge one customer record into another directly."""
    from courtier.customers.services.records import get_customer

    record = merging.merge(
        actor_of(request), get_customer(payload.survivor_id), get_customer(payload.merged_id)
    )
    return Status(201, _merge(record))


@router.post("/identity/merges/{merge_id}/unmerge", response={200: MergeOut, **ERRORS})
def unmerge(request: HttpRequest, merge_id: uuid.UUID) -> Any:
    """Undo a merge exactly."""
    found = Merge.objects.filter(public_id=merge_id).first()
    if found is None:
        raise NotFound("No merge has this id.")
    return _merge(merging.unmerge(actor_of(request), found))


__all__ = ["ProposalStatus", "router"]
