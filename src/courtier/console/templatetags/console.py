"""Template filters for the console: times in the reader's zone, greeting words."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

register = template.Library()

_LANGUAGE_NAMES = {"fr": "français", "en": "English"}
_REGISTER_WORDS = {
    ("fr", "formal"): "vous",
    ("fr", "informal"): "tu",
    ("en", "formal"): "formal",
    ("en", "informal"): "informal",
}


@register.filter
def when(value: object) -> str:
    """Show an ISO string or datetime in the server's (reader's) zone: 2026-11-23 07:12."""
    moment = value if isinstance(value, datetime) else parse_datetime(str(value or ""))
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@register.filter
def day(value: object) -> str:
    """Show only the date part of :func:`when`."""
    return when(value)[:10]


@register.filter
def manner(card: dict[str, object]) -> str:
    """Return how to speak to the customer: ``vous, français`` or ``informal, English``."""
    language = str(card.get("language") or "en")
    register_ = str(card.get("register") or "formal")
    words = _REGISTER_WORDS.get((language, register_), register_)
    return f"{words}, {_LANGUAGE_NAMES.get(language, language)}"


@register.filter
def quoted(text: str, language: str) -> str:
    """Quote a greeting the way its language does: « Bonjour » or “Hello”."""
    return f"« {text} »" if language == "fr" else f"“{text}”"


@register.filter
def item(mapping: dict[str, object], key: str) -> object:
    """Look up ``key`` in a dict (sections from other apps are plain dicts)."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
