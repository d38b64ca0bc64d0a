"""What a condition reads about a customer, loaded for many customers at once.

One query per kind of data for a whole batch, and only the kinds the rule's condition
uses: a rule on ``customer.language`` never loads facts, tags or agreements.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q

from courtier.customers.models import Customer, Fact
from courtier.journeys.conditions import attributes_used
from courtier.journeys.models import CustomerTag
from courtier.promises.models import Agreement, AgreementStatus

SEGMENT_FACT = "segment"
CUSTOMER_FIELDS = (
    "id",
    "public_id",
    "language",
    "register",
    "status",
    "time_zone",
    "display_name",
    "given_name",
    "family_name",
)


def needs(condition: Any) -> tuple[set[str], bool, bool]:
    """The fact keys, whether tags and whether agreements a condition reads."""
    used = attributes_used(condition)
    keys = {a.removeprefix("facts.") for a in used if a.startswith("facts.")}
    if used & {"segment", "customer.segment"}:
        keys.add(SEGMENT_FACT)
    tags = "tags" in used
    agreements = any(a.startswith("agreements.") for a in used)
    return keys, tags, agreements


def load(customer_ids: Iterable[int], condition: Any) -> dict[int, dict[str, Any]]:
    """Condition data per customer id (customers that no longer exist are left out)."""
    ids = list(set(customer_ids))
    keys, want_tags, want_agreements = needs(condition)
    out: dict[int, dict[str, Any]] = {}
    for row in Customer.objects.filter(id__in=ids).values(*CUSTOMER_FIELDS):
        customer = {k: v for k, v in row.items() if k not in ("id", "public_id")}
        customer["id"] = str(row["public_id"])
        out[row["id"]] = {
            "customer": customer,
            "language": row["language"],
            "facts": {},
            "tags": [],
            "agreements": {"count": 0, "active": 0, "products": []},
        }
    if keys:
        # Oldest first, so the latest observation of each key is the one left standing.
        facts = (
            Fact.objects.filter(customer_id__in=ids, key__in=keys, retracted_at=None)
            .order_by("observed_at", "id")
            .values_list("customer_id", "key", "value")
        )
        for customer_id, key, value in facts:
            if customer_id in out:
                out[customer_id]["facts"][key] = value
        for data in out.values():
            segment = data["facts"].get(SEGMENT_FACT)
            data["segment"] = data["customer"]["segment"] = segment
    if want_tags:
        for customer_id, tag in CustomerTag.objects.filter(customer_id__in=ids).values_list(
            "customer_id", "tag"
        ):
            out[customer_id]["tags"].append(tag)
    if want_agreements:
        counts = (
            Agreement.objects.filter(customer_id__in=ids)
            .values("customer_id")
            .annotate(n=Count("id"), active=Count("id", filter=Q(status=AgreementStatus.ACTIVE)))
        )
        for row in counts:
            out[row["customer_id"]]["agreements"].update(count=row["n"], active=row["active"])
        for customer_id, product in Agreement.objects.filter(customer_id__in=ids).values_list(
            "customer_id", "product"
        ):
            out[customer_id]["agreements"]["products"].append(product)
    return out
