"""Reports on requests: hand-offs per case and first-contact resolution."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, Sum

from courtier.cases.models import Case


def _window(field: str, since: datetime | None, until: datetime | None) -> Q:
    q = Q()
    if since is not None:
        q &= Q(**{f"{field}__gte": since})
    if until is not None:
        q &= Q(**{f"{field}__lt": until})
    return q


def handoff_report(since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    """Hand-offs per case for the cases opened in [since, until): average and spread."""
    qs = Case.objects.filter(_window("opened_at", since, until))
    totals = qs.aggregate(cases=Count("id"), handoffs=Sum("handoff_count"))
    cases, handoffs = totals["cases"] or 0, totals["handoffs"] or 0
    spread = {"0": 0, "1": 0, "2": 0, "3+": 0}
    for count, n in qs.values_list("handoff_count").annotate(n=Count("id")).order_by():
        spread["3+" if count >= 3 else str(count)] += n
    return {
        "cases": cases,
        "handoffs": handoffs,
        "handoffs_per_case": round(handoffs / cases, 3) if cases else None,
        "cases_by_handoffs": spread,
    }


def first_contact_resolution(
    since: datetime | None = None, until: datetime | None = None
) -> dict[str, Any]:
    """Share of the cases resolved in [since, until) that were solved at first contact."""
    totals = Case.objects.filter(
        _window("resolved_at", since, until), resolved_at__isnull=False
    ).aggregate(resolved=Count("id"), fcr=Count("id", filter=Q(first_contact_resolution=True)))
    resolved, fcr = totals["resolved"] or 0, totals["fcr"] or 0
    return {
        "resolved": resolved,
        "first_contact": fcr,
        "rate": round(fcr / resolved, 4) if resolved else None,
    }
