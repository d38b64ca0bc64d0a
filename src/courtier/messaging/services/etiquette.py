"""The etiquette decision: for each message, which channel, which language, when, or not at all.

``decide`` is a pure function of what we know (``Circumstances``), so it is fast and can
be tested like a table; ``load_circumstances`` reads that knowledge for many customers in
a handful of indexed queries. Suppression reasons, checked in this order:

- ``inactive_customer`` / ``do_not_contact``: the customer left, or asked for silence;
- ``duplicate``: a message with the same key is already on its way or sent;
- ``no_consent``: no channel the category may use;
- ``no_reachable_identifier``: consented channels, but no address for any of them (an
  address a server bounced for good counts only once verified again);
- ``no_template``: no words for this purpose on any usable channel;
- ``cap_reached``: the category's frequency cap (``[count, days]``) is used up.

A message that falls in quiet hours (customer's time zone) is deferred to their end;
portal messages are not, since they wait in the portal and wake nobody.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q

from courtier.customers.models import Customer, Identifier
from courtier.messaging.models import Consent, Message, Preference, State, Template
from courtier.messaging.services.preferences import Preferences, build_preferences
from courtier.messaging.services.templates import find_template

CHANNEL_ORDER = ("email", "sms", "portal")
_COUNTED = (State.QUEUED, State.SENDING, State.SENT, State.DELIVERED)
CAP_HORIZON_DAYS = 366
# A sign-in link or code answers a request the customer made seconds ago and dies in ten
# minutes: deferring it past quiet hours, capping it or asking consent would lock them out.
SIGN_IN_PURPOSES = frozenset({"portal_link", "portal_code"})


@dataclass
class Circumstances:
    """What the decision needs to know about one customer."""

    customer: Customer
    preferences: Preferences
    addresses: dict[str, str] = field(default_factory=dict)  # channel -> address
    recent: dict[str, list[datetime]] = field(default_factory=dict)  # category -> created_at


@dataclass(frozen=True)
class Decision:
    """The outcome: where, in which language and when, or why not at all."""

    channel: str
    language: str
    send_after: datetime
    suppressed_reason: str
    summary: str
    template: Template | None = None
    language_fallback: bool = False
    to_address: str = ""


def _quiet_until(prefs: Preferences, now: datetime) -> datetime | None:
    start, end = prefs.quiet_start, prefs.quiet_end
    if start == end:
        return None
    zone = prefs.zone()
    local = now.astimezone(zone)
    t = local.time()
    quiet = (start <= t or t < end) if start > end else (start <= t < end)
    if not quiet:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def decide(
    circ: Circumstances,
    *,
    purpose: str,
    category: str,
    duplicate: bool,
    templates: Mapping[tuple[str, str, str], Template],
    now: datetime,
    channel: str | None = None,
) -> Decision:
    """Decide one message (pure: reads only its arguments)."""
    customer, prefs = circ.customer, circ.preferences
    language = customer.language

    def refuse(reason: str, summary: str) -> Decision:
        return Decision("", language, now, reason, f"suppressed: {summary}")

    if customer.status != "active":
        return refuse("inactive_customer", f"the customer is {customer.status}")
    sign_in = purpose in SIGN_IN_PURPOSES
    if prefs.do_not_contact and not sign_in:
        return refuse("do_not_contact", "the customer asked not to be contacted")
    if duplicate:
        return refuse("duplicate", "the same message was already sent or queued")
    if channel:
        order: tuple[str, ...] = (channel,)
    elif prefs.preferred_channel:
        order = (
            prefs.preferred_channel,
            *(c for c in CHANNEL_ORDER if c != prefs.preferred_channel),
        )
    else:
        order = CHANNEL_ORDER
    consented = [c for c in order if sign_in or prefs.consents_to(category, c)]
    if not consented:
        return refuse("no_consent", f"no consent for {category} on {', '.join(order)}")
    reachable = [c for c in consented if c == "portal" or c in circ.addresses]
    if not reachable:
        return refuse("no_reachable_identifier", f"no address for {', '.join(consented)}")
    for chosen in reachable:
        template, fallback = find_template(purpose, chosen, language, templates)
        if template is not None:
            break
    else:
        return refuse("no_template", f"no template for {purpose} on {', '.join(reachable)}")
    cap = prefs.caps.get(category)
    if cap is not None and not sign_in:
        since = now - timedelta(days=cap[1])
        used = sum(1 for at in circ.recent.get(category, ()) if at >= since)
        if used >= cap[0]:
            return refuse("cap_reached", f"{category} cap of {cap[0]} in {cap[1]} days reached")
    notes = [f"{chosen} in {template.language}"]
    if fallback:
        notes.append(f"no {language} template, default language used")
    send_after = now
    if chosen != "portal" and not sign_in:
        until = _quiet_until(prefs, now)
        if until is not None:
            send_after = until
            notes.append(f"deferred past quiet hours to {until:%Y-%m-%d %H:%M} {until.tzname()}")
    return Decision(
        chosen,
        template.language,
        send_after,
        "",
        "; ".join(notes),
        template,
        fallback,
        circ.addresses.get(chosen, ""),
    )


def load_circumstances(customers: Iterable[Customer], now: datetime) -> dict[int, Circumstances]:
    """Read preferences, consents, addresses and recent sends for many customers at once."""
    by_id = {c.pk: c for c in customers}
    ids = list(by_id)
    prefs = {p.customer_id: p for p in Preference.objects.filter(customer_id__in=ids)}
    consents: dict[int, list[tuple[str, str, bool]]] = defaultdict(list)
    for cid, cat, ch, granted in Consent.objects.filter(customer_id__in=ids).values_list(
        "customer_id", "category", "channel", "granted"
    ):
        consents[cid].append((cat, ch, granted))
    result = {
        cid: Circumstances(c, build_preferences(prefs.get(cid), consents[cid], c.time_zone))
        for cid, c in by_id.items()
    }
    # Verified addresses first, then the newest: the last one the customer gave us.
    rows = (
        Identifier.objects.filter(customer_id__in=ids, kind__in=("email", "phone"))
        .order_by("customer_id", "kind", "-verified_at", "-id")
        .values_list("customer_id", "kind", "value", "verified_at")
    )
    # An address a server bounced for good is skipped until it is verified again.
    bounced: dict[tuple[int, str], datetime] = {}
    for cid, address, at in Message.objects.filter(
        customer_id__in=ids, bounced_at__isnull=False
    ).values_list("customer_id", "to_address", "bounced_at"):
        if at is not None:  # the filter says so; the column's type does not
            bounced[(cid, address)] = max(at, bounced.get((cid, address), at))
    for cid, kind, value, verified_at in rows:
        channel = "email" if kind == "email" else "sms"
        at = bounced.get((cid, value))
        if at is not None and (verified_at is None or verified_at < at):
            continue
        result[cid].addresses.setdefault(channel, value)
    horizon = now - timedelta(days=max(_longest_cap(result.values()), 1))
    for cid, cat, at in Message.objects.filter(
        customer_id__in=ids, created_at__gte=horizon, state__in=_COUNTED
    ).values_list("customer_id", "category", "created_at"):
        result[cid].recent.setdefault(cat, []).append(at)
    return result


def _longest_cap(circs: Iterable[Circumstances]) -> int:
    return min(
        CAP_HORIZON_DAYS, max((d for c in circs for _, d in c.preferences.caps.values()), default=1)
    )


def live_keys(keys: Iterable[str]) -> set[str]:
    """The dedupe keys among ``keys`` that belong to a message not suppressed."""
    return set(
        Message.objects.filter(dedupe_key__in=list(keys))
        .filter(~Q(state=State.SUPPRESSED))
        .values_list("dedupe_key", flat=True)
    )
