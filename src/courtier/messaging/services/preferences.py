"""Preferences and consent: how, when and about what each customer agrees to hear from us.

Absent rows mean the defaults below, so a customer created a second ago is already
served correctly. Every change is kept (who, when, from where, old and new value) in
``PreferenceChange``: the customer can read it in the portal, staff on the card.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from courtier.audit.services import log_access
from courtier.core.actor import Actor
from courtier.core.errors import FieldError, Invalid
from courtier.customers.models import Customer
from courtier.messaging.models import (
    Category,
    Consent,
    MessageChannel,
    Origin,
    Preference,
    PreferenceChange,
)
from courtier.messaging.services.style import UNSUBSCRIBE_SALT

CATEGORIES = tuple(Category.values)
CHANNELS = tuple(MessageChannel.values)
# Service messages answer something the customer asked for; offers need an explicit yes.
DEFAULT_CONSENT = {"service": True, "proactive": True, "offers": False}
# (at most N messages, in any D days); a category absent here has no cap.
DEFAULT_CAPS: dict[str, tuple[int, int]] = {"offers": (1, 7), "proactive": (3, 7)}
DEFAULT_QUIET = (time(21, 0), time(8, 0))


@dataclass
class Preferences:
    """A customer's effective preferences: stored values over the defaults."""

    preferred_channel: str = ""
    quiet_start: time = DEFAULT_QUIET[0]
    quiet_end: time = DEFAULT_QUIET[1]
    do_not_contact: bool = False
    caps: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_CAPS))
    consents: dict[tuple[str, str], bool] = field(default_factory=dict)
    time_zone: str = ""

    def consents_to(self, category: str, channel: str) -> bool:
        """Whether this category may be sent on this channel."""
        return self.consents.get((category, channel), DEFAULT_CONSENT.get(category, False))

    def zone(self) -> zoneinfo.ZoneInfo:
        """The customer's time zone, or the company's when we do not know theirs."""
        return _zone(self.time_zone or settings.TIME_ZONE)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (for the API and pages)."""
        return {
            "preferred_channel": self.preferred_channel,
            "quiet_start": self.quiet_start.strftime("%H:%M"),
            "quiet_end": self.quiet_end.strftime("%H:%M"),
            "do_not_contact": self.do_not_contact,
            "time_zone": self.zone().key,
            "caps": {k: {"count": v[0], "days": v[1]} for k, v in sorted(self.caps.items())},
            "consents": {
                cat: {ch: self.consents_to(cat, ch) for ch in CHANNELS} for cat in CATEGORIES
            },
        }


_zones: dict[str, zoneinfo.ZoneInfo] = {}


def _zone(name: str) -> zoneinfo.ZoneInfo:
    # ZoneInfo already caches, but the dict lookup is cheaper on the etiquette hot path.
    zone = _zones.get(name)
    if zone is None:
        zone = _zones[name] = zoneinfo.ZoneInfo(name)
    return zone


def build_preferences(
    pref: Preference | None, consents: list[tuple[str, str, bool]], time_zone: str
) -> Preferences:
    """Combine stored rows (any of them absent) into effective preferences."""
    result = Preferences(time_zone=time_zone)
    if pref is not None:
        result.preferred_channel = pref.preferred_channel
        result.quiet_start = pref.quiet_start
        result.quiet_end = pref.quiet_end
        result.do_not_contact = pref.do_not_contact
        for cat, cap in (pref.caps or {}).items():
            if cap is not None:  # None restores the default
                result.caps[cat] = (int(cap[0]), int(cap[1]))
    result.consents = {(cat, ch): granted for cat, ch, granted in consents}
    return result


def preferences_of(customer: Customer) -> Preferences:
    """Return ``customer``'s effective preferences (two indexed reads)."""
    pref = Preference.objects.filter(customer=customer).first()
    consents = list(
        Consent.objects.filter(customer=customer).values_list("category", "channel", "granted")
    )
    return build_preferences(pref, consents, customer.time_zone)


def _parse_time(name: str, value: Any, errors: list[FieldError]) -> time | None:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        errors.append(FieldError(name, "must be a time such as 21:00"))
        return None


def _clean(changes: Mapping[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "preferred_channel":
            if value not in ("", *CHANNELS):
                errors.append(FieldError(name, f"must be empty or one of {', '.join(CHANNELS)}"))
            clean[name] = value
        elif name in ("quiet_start", "quiet_end"):
            clean[name] = _parse_time(name, value, errors)
        elif name == "do_not_contact":
            if not isinstance(value, bool):
                errors.append(FieldError(name, "must be true or false"))
            clean[name] = value
        elif name == "caps":
            clean[name] = _clean_caps(value, errors)
        elif name == "consents":
            clean[name] = _clean_consents(value, errors)
        else:
            errors.append(FieldError(name, "is not a preference"))
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return clean


def _clean_caps(value: Any, errors: list[FieldError]) -> dict[str, list[int] | None]:
    caps: dict[str, list[int] | None] = {}
    for cat, cap in dict(value or {}).items():
        name = f"caps.{cat}"
        if cat not in CATEGORIES:
            errors.append(FieldError(name, f"category must be one of {', '.join(CATEGORIES)}"))
        elif cap is None:
            caps[cat] = None
        elif not (
            isinstance(cap, list | tuple)
            and len(cap) == 2
            and all(isinstance(n, int) and n >= 1 for n in cap)
        ):
            errors.append(FieldError(name, "must be [count, days] with both at least 1, or null"))
        else:
            caps[cat] = [cap[0], cap[1]]
    return caps


def _clean_consents(value: Any, errors: list[FieldError]) -> dict[tuple[str, str], bool]:
    consents: dict[tuple[str, str], bool] = {}
    for cat, per_channel in dict(value or {}).items():
        if cat not in CATEGORIES:
            errors.append(FieldError(f"consents.{cat}", f"must be one of {', '.join(CATEGORIES)}"))
            continue
        for ch, granted in dict(per_channel or {}).items():
            if ch not in CHANNELS:
                errors.append(
                    FieldError(f"consents.{cat}.{ch}", f"must be one of {', '.join(CHANNELS)}")
                )
            elif not isinstance(granted, bool):
                errors.append(FieldError(f"consents.{cat}.{ch}", "must be true or false"))
            else:
                consents[(cat, ch)] = granted
    return consents


def _show(value: Any) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


@transaction.atomic
def change_preferences(
    actor: Actor, customer: Customer, changes: Mapping[str, Any], *, origin: str
) -> Preferences:
    """Apply ``changes`` and keep one history row per value that actually changed.

    ``changes`` may hold preferred_channel, quiet_start, quiet_end, do_not_contact, caps
    (``{"offers": [1, 7]}``, null restores the default) and consents
    (``{"offers": {"email": true}}``). Raises :class:`Invalid` naming every bad field;
    nothing is written then. ``origin`` says where the change came from (portal, staff,
    import, api, inbound).
    """
    if origin not in Origin.values:
        raise Invalid.field("origin", f"must be one of {', '.join(Origin.values)}")
    clean = _clean(changes)
    before = preferences_of(customer)
    pref, _ = Preference.objects.select_for_update().get_or_create(customer=customer)
    now = timezone.now()
    history: list[PreferenceChange] = []

    def note(name: str, old: Any, new: Any) -> None:
        history.append(_change(actor, customer, now, name, old, new, origin))

    for name in ("preferred_channel", "quiet_start", "quiet_end", "do_not_contact"):
        if name in clean and getattr(before, name) != clean[name]:
            note(name, getattr(before, name), clean[name])
            setattr(pref, name, clean[name])
    for cat, cap in clean.get("caps", {}).items():
        old_cap = before.caps.get(cat)
        new_cap = DEFAULT_CAPS.get(cat) if cap is None else tuple(cap)
        if old_cap != new_cap:
            note(
                f"caps.{cat}", "/".join(map(str, old_cap or ())), "/".join(map(str, new_cap or ()))
            )
        stored = dict(pref.caps or {})
        stored[cat] = cap
        pref.caps = stored
    pref.save()
    for (cat, ch), granted in clean.get("consents", {}).items():
        if before.consents_to(cat, ch) != granted:
            note(f"consent.{cat}.{ch}", before.consents_to(cat, ch), granted)
        Consent.objects.update_or_create(
            customer=customer, category=cat, channel=ch, defaults={"granted": granted}
        )
    PreferenceChange.objects.bulk_create(history)
    if history:
        log_access(customer.pk, actor, "update", f"changed {len(history)} preference(s)")
    return preferences_of(customer)


def note_settings_changed(
    actor: Actor, customer: Customer, changed: Mapping[str, tuple[Any, Any]], *, origin: str
) -> None:
    """Keep changes of how we address the customer (language, register) in their history.

    Those are customer fields, written by ``customers.services``; recording them here puts
    them in the one list of choices the customer reads beside their consents. ``changed``
    maps a field to ``(old, new)``. Runs in the caller's transaction.
    """
    now = timezone.now()
    PreferenceChange.objects.bulk_create(
        _change(actor, customer, now, name, old, new, origin)
        for name, (old, new) in changed.items()
    )


def _change(
    actor: Actor,
    customer: Customer,
    at: datetime,
    name: str,
    old: Any,
    new: Any,
    origin: str,
) -> PreferenceChange:
    return PreferenceChange(
        customer=customer,
        at=at,
        field=name,
        old_value=_show(old)[:200],
        new_value=_show(new)[:200],
        actor_kind=actor.kind,
        actor_label=actor.label[:150],
        origin=origin,
    )


def unsubscribe(token: str) -> tuple[Customer, str]:
    """Withdraw email consent for the category a signed unsubscribe link names.

    Returns the customer and the category. Raises :class:`Invalid` for a link that was
    not made by us (or was altered). Idempotent: a second click changes nothing.
    """
    try:
        public_id, category = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise Invalid.field("token", "is not an unsubscribe link we sent") from None
    customer = Customer.objects.filter(public_id=public_id).first()
    if customer is None or category not in CATEGORIES:
        raise Invalid.field("token", "is not an unsubscribe link we sent")
    actor = Actor(kind="customer", label=customer.display_name[:150])
    change_preferences(actor, customer, {"consents": {category: {"email": False}}}, origin="email")
    return customer, category


def preference_history(customer: Customer) -> QuerySet[PreferenceChange]:
    """Every change of ``customer``'s preferences and consents, newest first."""
    return PreferenceChange.objects.filter(customer=customer).order_by("-at", "-id")
