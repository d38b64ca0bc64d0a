"""Promise-kept rate, per staff member and overall."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from courtier.promises.models import Promise, State


def kept_rate(
    now: datetime, since: datetime | None = None, until: datetime | None = None
) -> dict[str, Any]:
    """Kept / (kept + broken) for promises made in [since, until), by maker and overall.

    Cancelled promises count for neither side; pending ones past their due date are shown
    as ``overdue`` beside the rate, since they may still be kept.
    """
    qs = Promise.objects.all()
    if since is not None:
        qs = qs.filter(made_at__gte=since)
    if until is not None:
        qs = qs.filter(made_at__lt=until)
    counts = {
        "kept": Count("id", filter=Q(state=State.KEPT)),
        "broken": Count("id", filter=Q(state=State.BROKEN)),
        "cancelled": Count("id", filter=Q(state=State.CANCELLED)),
        "pending": Count("id", filter=Q(state=State.PENDING)),
        "overdue": Count("id", filter=Q(state=State.PENDING, due_at__lt=now)),
    }
    rows = qs.values("made_by__username").annotate(**counts).order_by("made_by__username")

    def shape(row: dict[str, Any]) -> dict[str, Any]:
        settled = row["kept"] + row["broken"]
        figures = {k: row[k] for k in counts}
        figures["rate"] = round(row["kept"] / settled, 4) if settled else None
        return figures

    staff = [{"staff": r["made_by__username"], **shape(r)} for r in rows]
    overall = {k: sum(s[k] for s in staff) for k in counts}
    return {"overall": shape(overall), "staff": staff}
