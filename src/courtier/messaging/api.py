"""REST endpoints for templates, preferences, the message log and inbound webhooks."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from courtier.core.pagination import paginate
from courtier.customers.schemas import Problem
from courtier.customers.services.records import get_customer
from courtier.messaging import schemas as s
from courtier.messaging.services import delivery, inbound, outbox, preferences, templates
from courtier.messaging.services.style import sms_segments
from courtier.staff.services import actor_of

router = Router(tags=["messaging"])
webhooks = Router(tags=["messaging webhooks"], auth=None)
ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 404: Problem, 409: Problem, 422: Problem}


@router.get("/messaging/templates", response={200: list[s.TemplateOut], **ERRORS})
def list_templates(request: HttpRequest, purpose: str | None = None) -> Any:
    """Every template, by purpose, channel and language."""
    return list(templates.templates(purpose))


@router.post("/messaging/templates", response={201: s.TemplateOut, **ERRORS})
def create_template(request: HttpRequest, payload: s.TemplateIn) -> Any:
    """Add a template; syntax errors and sandbox escapes are refused with their line."""
    return Status(201, templates.save_template(actor_of(request), payload.model_dump()))


@router.get("/messaging/templates/{template_id}", response={200: s.TemplateOut, **ERRORS})
def get_template(request: HttpRequest, template_id: uuid.UUID) -> Any:
    """One template."""
    return templates.get_template(template_id)


@router.put("/messaging/templates/{template_id}", response={200: s.TemplateOut, **ERRORS})
def replace_template(request: HttpRequest, template_id: uuid.UUID, payload: s.TemplateIn) -> Any:
    """Replace a template's words (checked exactly as on creation)."""
    found = templates.get_template(template_id)
    return templates.save_template(actor_of(request), payload.model_dump(), found)


@router.delete("/messaging/templates/{template_id}", response={204: None, **ERRORS})
def delete_template(request: HttpRequest, template_id: uuid.UUID) -> Any:
    """Remove a template; messages already queued keep their rendered words."""
    templates.delete_template(actor_of(request), templates.get_template(template_id))
    return Status(204, None)


@router.post("/messaging/preview", response={200: s.PreviewOut, **ERRORS})
def preview(request: HttpRequest, payload: s.PreviewIn) -> Any:
    """Render a saved template, or unsaved words, for a real customer; nothing is sent."""
    customer = get_customer(payload.customer_id)
    unsaved = (payload.subject, payload.text, payload.html)
    out = templates.preview(
        customer,
        purpose=payload.purpose,
        channel=payload.channel,
        language=payload.language,
        sources=unsaved if any(unsaved) else None,
        context=payload.context,
    )
    result: dict[str, Any] = {**out.__dict__}
    if payload.channel == "sms":
        result["sms_encoding"], result["sms_segments"] = sms_segments(out.text)
    return result


def _origin(request: HttpRequest) -> str:
    return "api" if actor_of(request).kind == "integration" else "staff"


@router.get("/customers/{customer_id}/preferences", response={200: s.PreferencesOut, **ERRORS})
def get_preferences(request: HttpRequest, customer_id: uuid.UUID) -> Any:
    """The customer's effective preferences and consents (defaults included)."""
    return preferences.preferences_of(get_customer(customer_id)).as_dict()


@router.patch("/customers/{customer_id}/preferences", response={200: s.PreferencesOut, **ERRORS})
def change_preferences(
    request: HttpRequest, customer_id: uuid.UUID, payload: s.PreferencesIn
) -> Any:
    """Change preferences; each changed value is kept in the history with who and where."""
    changes = payload.model_dump(exclude_none=True)
    if payload.caps is not None:
        changes["caps"] = {
            cat: None if cap is None else [cap.count, cap.days] for cat, cap in payload.caps.items()
        }
    customer = get_customer(customer_id)
    prefs = preferences.change_preferences(
        actor_of(request), customer, changes, origin=_origin(request)
    )
    return prefs.as_dict()


@router.get(
    "/customers/{customer_id}/preferences/history",
    response={200: list[s.PreferenceChangeOut], **ERRORS},
)
def preference_history(request: HttpRequest, customer_id: uuid.UUID) -> Any:
    """Every change of the customer's preferences and consents, newest first."""
    return list(preferences.preference_history(get_customer(customer_id))[:500])


class MessageFilters(Schema):
    model_config = ConfigDict(extra="forbid")
    state: str = Field("", max_length=10)
    sort: str = Field("-created_at", max_length=30)
    cursor: str | None = Field(None, max_length=500)
    limit: int = 50


def _page(customer: Any, f: MessageFilters) -> dict[str, Any]:
    page = paginate(
        outbox.message_log(customer, f.state),
        sort=f.sort,
        allowed=("created_at", "send_after"),
        cursor=f.cursor,
        limit=f.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/customers/{customer_id}/messages", response={200: s.MessagePage, **ERRORS})
def customer_messages(
    request: HttpRequest, customer_id: uuid.UUID, f: Query[MessageFilters]
) -> Any:
    """The customer's messages: each decision and its delivery state."""
    return _page(get_customer(customer_id), f)


@router.post("/customers/{customer_id}/messages", response={201: s.MessageOut, **ERRORS})
def queue(request: HttpRequest, customer_id: uuid.UUID, payload: s.MessageIn) -> Any:
    """Queue a message; the answer says where and when it goes, or why it does not."""
    customer = get_customer(customer_id)
    message = outbox.queue_message(
        actor_of(request),
        customer,
        payload.purpose,
        payload.context,
        key=payload.key,
        channel=payload.channel,
    )
    return Status(201, message)


@router.get("/messaging/messages", response={200: s.MessagePage, **ERRORS})
def all_messages(request: HttpRequest, f: Query[MessageFilters]) -> Any:
    """The message log across customers."""
    return _page(None, f)


@router.get("/messaging/messages/{message_id}", response={200: s.MessageOut, **ERRORS})
def get_message(request: HttpRequest, message_id: uuid.UUID) -> Any:
    """One message."""
    return outbox.get_message(message_id)


@router.get("/messaging/inbound", response={200: list[s.InboundRawOut], **ERRORS})
def inbound_log(request: HttpRequest, status: str = "") -> Any:
    """What customers sent us, newest first; ``status=rejected`` lists what awaits review."""
    return list(inbound.inbound_log(status)[:200])


@webhooks.post("/messaging/inbound/email", response={200: s.InboundOut, **ERRORS})
def inbound_email(request: HttpRequest) -> Any:
    """An inbound email (raw RFC 5322 body), signed with X-Courtier-Signature."""
    inbound.verify_signature(request.body, request.headers.get("X-Courtier-Signature", ""))
    return inbound.receive_email(request.body)


@webhooks.post("/messaging/inbound/sms", response={200: s.InboundOut, **ERRORS})
def inbound_sms(request: HttpRequest) -> Any:
    """An inbound SMS as JSON (from, to, text, id), signed with X-Courtier-Signature."""
    inbound.verify_signature(request.body, request.headers.get("X-Courtier-Signature", ""))
    return inbound.receive_sms(request.body)


class ReceiptOut(Schema):
    provider_id: str
    recorded: bool


@webhooks.post("/messaging/receipts/sms", response={200: ReceiptOut, **ERRORS})
def sms_receipt(request: HttpRequest) -> Any:
    """A provider's delivery receipt (JSON: id, status), signed with X-Courtier-Signature."""
    inbound.verify_signature(request.body, request.headers.get("X-Courtier-Signature", ""))
    provider_id, recorded = delivery.record_receipt(request.body)
    return {"provider_id": provider_id, "recorded": recorded}
