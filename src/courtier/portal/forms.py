"""Reading portal form posts: only the fields a form shows, everything else refused."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.http import HttpRequest

from courtier.core.errors import FieldError, Invalid
from courtier.messaging.services.preferences import CATEGORIES, CHANNELS

CSRF_FIELD = "csrfmiddlewaretoken"
CONSENT_FIELDS = [f"consent_{cat}_{ch}" for cat in CATEGORIES for ch in CHANNELS]
PREFERENCE_FIELDS = [
    "preferred_channel",
    "quiet_start",
    "quiet_end",
    "do_not_contact",
    "language",
    "register",
    *CONSENT_FIELDS,
]


def fields(request: HttpRequest, allowed: Iterable[str]) -> dict[str, str]:
    """The posted fields, or :class:`Invalid` naming every field this form does not have.

    A customer cannot slip ``owner``, ``status``, ``verified_at`` or another customer's
    id into a form: the form's own fields are the only ones read, the rest are refused.
    """
    names = set(allowed)
    unknown = sorted(k for k in request.POST if k not in names and k != CSRF_FIELD)
    if unknown:
        errors = [FieldError(k[:64], "is not a field of this form") for k in unknown]
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return {k: request.POST.get(k, "") for k in names if k in request.POST}


def preference_changes(data: dict[str, str]) -> dict[str, object]:
    """Turn the preferences form into the changes messaging's service takes."""
    changes: dict[str, object] = {
        "consents": {
            cat: {ch: f"consent_{cat}_{ch}" in data for ch in CHANNELS} for cat in CATEGORIES
        },
        "do_not_contact": "do_not_contact" in data,
    }
    for name in ("preferred_channel", "quiet_start", "quiet_end", "language", "register"):
        if name in data:
            changes[name] = data[name]
    return changes


def safe_next(value: str | None) -> str:
    """A place to go after sign-in: a portal path on this site, else the portal home."""
    text = (value or "").strip()
    parts = urlsplit(text)
    if (
        text.startswith("/portal/")
        and not parts.scheme
        and not parts.netloc
        and "\\" not in text
        and "//" not in text
        and all(ch.isprintable() for ch in text)
    ):
        return text
    return "/portal/"
