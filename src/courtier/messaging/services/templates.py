"""Message templates: per purpose, channel and language, rendered in Jinja2's sandbox.

Staff write the words; the sandbox keeps them from reaching anything but the plain
values we hand in (the customer's names as strings, the caller's context as JSON-like
data): no settings, no files, no ORM objects. Templates are checked on save: a syntax
error or an attempt at an underscore attribute (the way out of every Python sandbox) is
refused with its line. A missing translation falls back to the default language and the
message says so (``language_fallback``); it is never sent broken.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import TracebackType
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from jinja2 import ChainableUndefined, StrictUndefined, TemplateSyntaxError, nodes
from jinja2 import Template as JinjaTemplate
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from courtier.core.actor import Actor
from courtier.core.errors import Conflict, FieldError, Invalid, NotFound
from courtier.customers.models import Customer
from courtier.messaging.models import Category, MessageChannel, Template
from courtier.messaging.services import style

# The purposes the product itself sends; staff may add their own (with a category).
BUILTIN_PURPOSES = {
    "welcome": "service",
    "case_update": "service",
    "handoff_notice": "service",
    "promise_kept": "service",
    "renewal_notice": "proactive",
    "satisfaction_survey": "proactive",
    # Portal sign-in: asked for by the customer a moment ago (see etiquette.SIGN_IN_PURPOSES).
    "portal_link": "service",
    "portal_code": "service",
}
_PURPOSE = re.compile(r"[a-z][a-z0-9_]{1,63}")
LIMITS = {"subject": 300, "text": 20_000, "html": 100_000}
SMS_LIMIT = 640


class RenderError(Exception):
    """A template could not be rendered for this customer and context (names the line)."""


@dataclass(frozen=True)
class Rendered:
    """A message's final words, in the house style."""

    subject: str
    text: str
    html: str
    language: str
    language_fallback: bool


def _env(autoescape: bool, strict: bool) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        autoescape=autoescape,
        undefined=StrictUndefined if strict else ChainableUndefined,
        keep_trailing_newline=False,
    )


_ENVS = {(a, s): _env(a, s) for a in (False, True) for s in (False, True)}


@lru_cache(maxsize=2048)
def _compiled(source: str, autoescape: bool, strict: bool) -> JinjaTemplate:
    return _ENVS[(autoescape, strict)].from_string(source)


def _template_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _unsafe_names(tree: nodes.Node) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name, nodes.Const)):
        if isinstance(node, nodes.Const):
            # ``x|attr("__class__")`` names the attribute as a string.
            if isinstance(node.value, str) and "__" in node.value:
                found.append((node.lineno, node.value))
            continue
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Name):
            name = node.name
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            name = node.arg.value
        else:
            continue
        if name.startswith("_"):
            found.append((node.lineno, name))
    return found


def check_source(field: str, source: str, *, autoescape: bool = False) -> list[FieldError]:
    """Return why ``source`` cannot be a template (syntax, sandbox escape), with the line."""
    env = _ENVS[(autoescape, False)]
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        return [FieldError(field, f"line {exc.lineno}: {exc.message}")]
    unsafe = _unsafe_names(tree)
    if unsafe:
        line, name = unsafe[0]
        return [FieldError(field, f"line {line}: {name!r} is not allowed (sandbox)")]
    try:
        _compiled(source, autoescape, False).render(_sample_context())
    except SecurityError as exc:
        at = _template_line(exc.__traceback__)
        return [FieldError(field, f"line {at or '?'}: not allowed (sandbox): {exc}")]
    except (TemplateError, ArithmeticError, TypeError, ValueError) as exc:
        at = _template_line(exc.__traceback__)
        return [FieldError(field, f"line {at or '?'}: {exc}")]
    return []


def _sample_context() -> dict[str, Any]:
    customer = {
        "display_name": "Marie Tremblay",
        "given_name": "Marie",
        "family_name": "Tremblay",
        "preferred_name": "Marie",
        "address": "Madame Tremblay",
        "language": "fr",
    }
    return {"customer": customer, "preferences_url": style.preferences_url()}


def category_of(purpose: str) -> str | None:
    """The category of a purpose: built in, or taken from its templates."""
    if purpose in BUILTIN_PURPOSES:
        return BUILTIN_PURPOSES[purpose]
    return Template.objects.filter(purpose=purpose).values_list("category", flat=True).first()


def clean_template(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check a template's fields and sources; raise :class:`Invalid` naming each problem."""
    errors: list[FieldError] = []
    purpose = str(data.get("purpose") or "")
    channel = str(data.get("channel") or "")
    language = str(data.get("language") or "")
    category = str(data.get("category") or "")
    subject = str(data.get("subject") or "")
    text = str(data.get("text") or "")
    html = str(data.get("html") or "")
    if not _PURPOSE.fullmatch(purpose):
        errors.append(FieldError("purpose", "must be lower-case letters, digits and _ (2-64)"))
    if channel not in MessageChannel.values:
        errors.append(FieldError("channel", f"must be one of {', '.join(MessageChannel.values)}"))
    languages = [code for code, _ in settings.LANGUAGES]
    if language not in languages:
        errors.append(FieldError("language", f"must be one of {', '.join(languages)}"))
    if purpose in BUILTIN_PURPOSES:
        if category and category != BUILTIN_PURPOSES[purpose]:
            errors.append(
                FieldError("category", f"{purpose} is always {BUILTIN_PURPOSES[purpose]}")
            )
        category = BUILTIN_PURPOSES[purpose]
    elif category not in Category.values:
        errors.append(FieldError("category", f"must be one of {', '.join(Category.values)}"))
    if not text.strip():
        errors.append(FieldError("text", "is empty"))
    if channel == "email" and not subject.strip():
        errors.append(FieldError("subject", "is needed for an email"))
    if channel != "email" and (subject or html):
        errors.append(FieldError("subject" if subject else "html", "only emails have one"))
    for name, source in (("subject", subject), ("text", text), ("html", html)):
        if len(source) > LIMITS[name]:
            errors.append(FieldError(name, f"is longer than {LIMITS[name]} characters"))
        elif source:
            errors.extend(check_source(name, source, autoescape=name == "html"))
    if channel == "sms" and len(text) > SMS_LIMIT:
        errors.append(FieldError("text", f"an SMS template is at most {SMS_LIMIT} characters"))
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return {
        "purpose": purpose,
        "channel": channel,
        "language": language,
        "category": category,
        "subject": subject.strip(),
        "text": text,
        "html": html,
    }


@transaction.atomic
def save_template(
    actor: Actor, data: Mapping[str, Any], template: Template | None = None
) -> Template:
    """Create a template, or replace ``template``'s words; refuse anything that would not render.

    Raises :class:`Invalid` (syntax errors and sandbox escapes name their line) or
    :class:`Conflict` when the purpose already has a template for that channel and language.
    """
    clean = clean_template(data)
    target = template or Template()
    for name, value in clean.items():
        setattr(target, name, value)
    target.updated_by = actor.label[:150]
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise Conflict(
            f"{clean['purpose']} already has a {clean['channel']} template in {clean['language']}",
            [FieldError("language", "already has a template for this purpose and channel")],
        ) from None
    return target


@transaction.atomic
def delete_template(actor: Actor, template: Template) -> None:
    """Remove a template; queued messages keep the words they were rendered with."""
    template.delete()


def get_template(public_id: Any) -> Template:
    """Return the template with this public id, or raise :class:`NotFound`."""
    found = Template.objects.filter(public_id=public_id).first()
    if found is None:
        raise NotFound("No template has this id.")
    return found


def templates(purpose: str | None = None) -> QuerySet[Template]:
    """All templates, grouped by purpose then channel then language."""
    qs = Template.objects.all()
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs.order_by("purpose", "channel", "language")


def find_template(
    purpose: str, channel: str, language: str, available: Mapping[tuple[str, str, str], Template]
) -> tuple[Template | None, bool]:
    """Pick the template in ``language``, else the default language (flagged as a fallback)."""
    found = available.get((purpose, channel, language))
    if found is not None:
        return found, False
    found = available.get((purpose, channel, settings.LANGUAGE_CODE))
    if found is not None:
        return found, True
    return None, False


# Words an app ships for a purpose it sends itself (the portal's sign-in link): used when no
# staff-written row exists, so deleting a row, or a database restored without it, can never
# leave a purpose mute. A saved template with the same key overrides the shipped one.
_SHIPPED: dict[tuple[str, str, str], Template] = {}


def ship_template(
    purpose: str, channel: str, language: str, text: str, *, subject: str = ""
) -> None:
    """Register built-in words for (purpose, channel, language); called from an app's ready().

    The purpose must be one of ``BUILTIN_PURPOSES``; the words are checked like a save and
    a mistake fails at start-up, not when a customer waits for the message.
    """
    errors = [*check_source("subject", subject), *check_source("text", text)]
    if purpose not in BUILTIN_PURPOSES or errors:
        raise ValueError(f"shipped template {purpose}/{channel}/{language}: {errors or purpose}")
    _SHIPPED[(purpose, channel, language)] = Template(
        purpose=purpose,
        category=BUILTIN_PURPOSES[purpose],
        channel=channel,
        language=language,
        subject=subject,
        text=text,
        updated_by="courtier",
    )


def template_index(purposes: set[str] | None = None) -> dict[tuple[str, str, str], Template]:
    """Every template keyed by (purpose, channel, language), for :func:`find_template`.

    Saved rows first, shipped words (:func:`ship_template`) where no row exists.
    """
    qs = (
        Template.objects.all()
        if purposes is None
        else Template.objects.filter(purpose__in=purposes)
    )
    index = {k: t for k, t in _SHIPPED.items() if purposes is None or k[0] in purposes}
    index.update({(t.purpose, t.channel, t.language): t for t in qs})
    return index


def customer_context(customer: Customer, voice: style.Voice) -> dict[str, Any]:
    """What a template may know of the customer: plain strings only."""
    return {
        "display_name": customer.display_name,
        "given_name": customer.given_name,
        "family_name": customer.family_name,
        "preferred_name": customer.preferred_name or customer.given_name,
        "address": voice.address,
        "language": customer.language,
    }


def render(
    customer: Customer,
    channel: str,
    language: str,
    fallback: bool,
    sources: tuple[str, str, str],
    context: Mapping[str, Any],
    *,
    strict: bool = True,
) -> Rendered:
    """Render (subject, text, html) sources for ``customer`` and wrap them in the house style.

    Raises :class:`RenderError` naming the line (an undefined variable, a sandbox refusal).
    """
    voice = style.voice_for(customer, language)
    values = {
        **dict(context),
        "customer": customer_context(customer, voice),
        "preferences_url": voice.preferences_url,
    }
    out: list[str] = []
    for index, source in enumerate(sources):
        if not source:
            out.append("")
            continue
        try:
            out.append(_compiled(source, index == 2, strict).render(values))
        except (UndefinedError, SecurityError, TemplateError, TypeError, ValueError) as exc:
            name = ("subject", "text", "html")[index]
            line = _template_line(exc.__traceback__)
            raise RenderError(f"{name} line {line or '?'}: {exc}") from None
    subject, text, html = out
    if channel == "email":
        text, html = style.compose_email(voice, text, html or style.text_to_html(text))
    elif channel == "sms":
        text = style.compose_sms(voice, text)
    else:
        text = style.compose_portal(voice, text)
    return Rendered(" ".join(subject.split()), text, html, language, fallback)


def preview(
    customer: Customer,
    *,
    purpose: str,
    channel: str,
    language: str | None = None,
    sources: tuple[str, str, str] | None = None,
    context: Mapping[str, Any] | None = None,
) -> Rendered:
    """Render a saved template, or unsaved ``sources``, for a real customer, without sending.

    Unsaved sources are checked first (same errors as on save). Unknown context variables
    render empty here so staff see the rest; at send time they are an error.
    """
    lang = language or customer.language
    if sources is not None:
        errors: list[FieldError] = []
        for name, source in zip(("subject", "text", "html"), sources, strict=True):
            if source:
                errors.extend(check_source(name, source, autoescape=name == "html"))
        if errors:
            raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
        fallback = False
    else:
        template, fallback = find_template(purpose, channel, lang, template_index({purpose}))
        if template is None:
            raise NotFound(f"No {channel} template for {purpose} in {lang} or the default.")
        lang = template.language
        sources = (template.subject, template.text, template.html)
    try:
        return render(customer, channel, lang, fallback, sources, context or {}, strict=False)
    except RenderError as exc:
        raise Invalid.field("template", str(exc)) from None
