"""Merging two records of one person, and undoing it exactly.

A merge moves every identifier, fact (provenance untouched) and interaction of the merged
record to the survivor, plus the rows other apps registered re-pointers for, and writes a
:class:`Merge` listing each moved row. The merged record stays, with status ``merged``; the
Merge row is its pointer to the survivor. Unmerge moves exactly those rows back (rows the
survivor gained since stay with it) and restores the merged record's status.

What must not move (a signed-in portal browser, a live sign-in code) is ended instead, by a
step an app registers with :func:`register_on_merge`; the Merge records what each step did,
and unmerge does not undo it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from courtier.audit.services import log_access
from courtier.core.actor import Actor
from courtier.core.errors import Conflict
from courtier.customers.models import Customer, CustomerStatus, Fact, Identifier
from courtier.identity.models import MatchProposal, Merge, ProposalStatus
from courtier.identity.services.index import index_customers

Combine = Callable[[Any, Any], dict[str, Any]]
# (merged, survivor) primary keys -> what the step did, JSON-ready, recorded on the Merge.
OnMerge = Callable[[int, int], dict[str, Any]]


@dataclass(frozen=True)
class Repointer:
    """A model whose rows belong to a customer through ``field``, moved by a merge.

    With ``one_per`` the survivor may hold only one row per those fields (``()``: one row
    per customer, as a one-to-one link). A merged row whose key the survivor already
    holds stays on the merged record; ``combine(survivor_row, merged_row)`` may then
    return field values (JSON-ready) to set on the survivor's row, such as "a refusal
    wins". Without ``one_per`` every row moves.
    """

    name: str
    model: type[models.Model]
    field: str
    one_per: tuple[str, ...] | None = None
    combine: Combine | None = None

    def move(self, source: int, target: int) -> Any:
        """Move ``source``'s rows to ``target``; return what to keep to undo it (JSON)."""
        if self.one_per is None:
            return _move(self.model, self.field, source, target)
        manager = self.model._default_manager
        column = f"{self.field}_id"
        held = {
            tuple(getattr(row, f) for f in self.one_per): row
            for row in manager.filter(**{column: target})
        }
        moved: list[int] = []
        changed: list[list[Any]] = []
        for row in manager.filter(**{column: source}).order_by("pk"):
            kept = held.get(tuple(getattr(row, f) for f in self.one_per))
            if kept is None:
                moved.append(row.pk)
                continue
            values = self.combine(kept, row) if self.combine else {}
            values = {k: v for k, v in values.items() if getattr(kept, k) != v}
            if values:
                old = {k: getattr(kept, k) for k in values}
                manager.filter(pk=kept.pk).update(**values)
                changed.append([kept.pk, old, values])
        manager.filter(pk__in=moved).update(**{column: target})
        return {"moved": moved, "changed": changed}

    def restore(self, state: Any, survivor: int, merged: int) -> None:
        """Undo :meth:`move`: rows go back, and the survivor's rows it changed are restored
        unless they were changed again since (the later change is the customer's word)."""
        if isinstance(state, list):
            _move_back(self.model, self.field, state, survivor, merged)
            return
        _move_back(self.model, self.field, state["moved"], survivor, merged)
        manager = self.model._default_manager
        for pk, old, new in state["changed"]:
            manager.filter(pk=pk, **{f"{self.field}_id": survivor}, **new).update(**old)


_repointers: dict[str, Repointer] = {}


def register_repointer(
    name: str,
    model: type[models.Model],
    field: str = "customer",
    *,
    one_per: tuple[str, ...] | None = None,
    combine: Combine | None = None,
) -> None:
    """Make merges move ``model`` rows along ``field``; called from an app's ``ready()``.

    See :class:`Repointer` for ``one_per`` and ``combine``. Unmerge moves exactly the
    rows the merge moved back, so an app registers once and both directions follow.
    """
    _repointers[name] = Repointer(name, model, field, one_per, combine)


_on_merge: dict[str, OnMerge] = {}


def register_on_merge(name: str, step: OnMerge) -> None:
    """Run ``step(merged_pk, survivor_pk)`` inside every merge; called from an app's ``ready()``.

    For what a merge must end rather than move (the merged record's portal sessions). The
    step's answer is recorded on the Merge under ``moved["ended"][name]``, for staff to see;
    unmerge does not undo it.
    """
    _on_merge[name] = step


def moved_counts(moved: dict[str, Any]) -> list[tuple[str, int]]:
    """How many rows of each kind a merge moved, for its page (``one_per`` rows included)."""
    counts = [("identifiers", len(moved["identifiers"])), ("facts", len(moved["facts"]))]
    for name, state in moved["rows"].items():
        counts.append((name, len(state) if isinstance(state, list) else len(state["moved"])))
    return counts


def _move(model: type[models.Model], field: str, source: int, target: int) -> list[int]:
    ids = sorted(
        model._default_manager.filter(**{f"{field}_id": source}).values_list("pk", flat=True)
    )
    model._default_manager.filter(pk__in=ids).update(**{f"{field}_id": target})
    return ids


def _move_back(
    model: type[models.Model], field: str, ids: list[int], source: int, target: int
) -> int:
    return model._default_manager.filter(pk__in=ids, **{f"{field}_id": source}).update(
        **{f"{field}_id": target}
    )


def survivor_of(customer: Customer) -> Customer | None:
    """The customer a merged record now lives in (following chains), or None if not merged."""
    current, seen = customer, set()
    while current.status == CustomerStatus.MERGED and current.pk not in seen:
        seen.add(current.pk)
        merge = (
            Merge.objects.filter(merged=current, unmerged_at=None)
            .select_related("survivor")
            .first()
        )
        if merge is None:
            return None
        current = merge.survivor
    return current if current.pk != customer.pk else None


def survivors(customer_ids: Iterable[int | None]) -> dict[int, int]:
    """For each of these customers that was merged away, the live record it lives in now.

    Customers not merged are left out, so the common case costs one indexed query. For
    work queued about a record before its merge and done after it (a domain event): the
    person is the survivor now, and the merged record has no contact points left.
    """
    ids = {pk for pk in customer_ids if pk is not None}
    merged = Customer.objects.filter(pk__in=ids, status=CustomerStatus.MERGED)
    found: dict[int, int] = {}
    for customer in merged:
        survivor = survivor_of(customer)
        if survivor is not None:
            found[customer.pk] = survivor.pk
    return found


@transaction.atomic
def merge(
    actor: Actor, survivor: Customer, merged: Customer, proposal: MatchProposal | None = None
) -> Merge:
    """Merge ``merged`` into ``survivor``; all or nothing, recorded, logged on both records.

    Registered re-pointers move their rows, then registered on-merge steps run (see
    :func:`register_on_merge`), all in this transaction.

    Refused with :class:`Conflict` (nothing written) for a customer merged into itself or a
    record that is already merged away.
    """
    if survivor.pk == merged.pk:
        raise Conflict("A customer cannot be merged into itself.")
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
    }
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    for who, customer in (("survivor", survivor), ("merged record", merged)):
        if customer.status == CustomerStatus.MERGED:
            raise Conflict(
                f"The {who} {customer.public_id} was already merged into another record."
            )
    moved = {
        "identifiers": _move(Identifier, "customer", merged.pk, survivor.pk),
        "facts": _move(Fact, "customer", merged.pk, survivor.pk),
        "rows": {r.name: r.move(merged.pk, survivor.pk) for r in _repointers.values()},
        "ended": {name: step(merged.pk, survivor.pk) for name, step in _on_merge.items()},
        "merged_status": merged.status,
    }
    merged.status = CustomerStatus.MERGED
    merged.save(update_fields=["status", "updated_at"])
    record = Merge.objects.create(
        survivor=survivor,
        merged=merged,
        proposal=proposal,
        moved=moved,
        merged_by=actor.label[:150],
        staff_id=actor.user_id if actor.kind == "staff" else None,
    )
    if proposal is not None:
        proposal.status = ProposalStatus.MERGED
        proposal.decided_at = timezone.now()
        proposal.decided_by = actor.label[:150]
        proposal.save(update_fields=["status", "decided_at", "decided_by"])
    log_access(survivor.pk, actor, "update", f"merged {merged.public_id} into this record")
    log_access(merged.pk, actor, "update", f"merged into {survivor.public_id}")
    index_customers([survivor.pk, merged.pk])
    return record


@transaction.atomic
def unmerge(actor: Actor, record: Merge) -> Merge:
    """Undo a merge: the rows it moved go back and the merged record is restored.

    Refused with :class:`Conflict` when it was already undone, or when the survivor has
    since been merged into a third record (undo that merge first).
    """
    record = (
        Merge.objects.select_for_update().select_related("survivor", "merged").get(pk=record.pk)
    )
    if record.unmerged_at is not None:
        raise Conflict("This merge was already undone.")
    survivor, merged = record.survivor, record.merged
    if survivor.status == CustomerStatus.MERGED:
        raise Conflict(
            f"The survivor {survivor.public_id} was merged since; undo that merge first."
        )
    moved = record.moved
    _move_back(Identifier, "customer", moved["identifiers"], survivor.pk, merged.pk)
    _move_back(Fact, "customer", moved["facts"], survivor.pk, merged.pk)
    for name, state in moved["rows"].items():
        repointer = _repointers.get(name)
        if repointer is not None:
            repointer.restore(state, survivor.pk, merged.pk)
    merged.status = moved["merged_status"]
    merged.save(update_fields=["status", "updated_at"])
    record.unmerged_at = timezone.now()
    record.unmerged_by = actor.label[:150]
    record.save(update_fields=["unmerged_at", "unmerged_by"])
    if record.proposal_id:
        # Undoing a merge is a reviewer saying "not the same person": do not propose it again.
        MatchProposal.objects.filter(pk=record.proposal_id).update(
            status=ProposalStatus.REJECTED,
            decided_at=record.unmerged_at,
            decided_by=record.unmerged_by,
        )
    log_access(survivor.pk, actor, "update", f"unmerged {merged.public_id} from this record")
    log_access(merged.pk, actor, "update", f"unmerged from {survivor.public_id}")
    index_customers([survivor.pk, merged.pk])
    return record


@transaction.atomic
def accept_proposal(actor: Actor, proposal: MatchProposal) -> Merge:
    """Merge a reviewed proposal; the older record survives (its id is the one people know)."""
    proposal = MatchProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise Conflict(f"This proposal was already decided ({proposal.status}).")
    return merge(actor, proposal.left, proposal.right, proposal)


@transaction.atomic
def reject_proposal(actor: Actor, proposal: MatchProposal) -> MatchProposal:
    """Record that the two records are different people; the pair is not proposed again."""
    proposal = MatchProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise Conflict(f"This proposal was already decided ({proposal.status}).")
    proposal.status = ProposalStatus.REJECTED
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor.label[:150]
    proposal.save(update_fields=["status", "decided_at", "decided_by"])
    return proposal
