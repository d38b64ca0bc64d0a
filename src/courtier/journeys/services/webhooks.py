"""Delivering rules' webhook calls: signed POSTs with retries, claimed like messages.

The receiver checks ``X-Courtier-Signature: sha256=<hex>``, an HMAC-SHA256 of the exact
body under the rule's secret, and drops a repeat by ``X-Courtier-Delivery`` (the call's
public id, the same on every retry): delivery is at least once.
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from courtier.journeys.models import WebhookCall, WebhookState
from courtier.journeys.services.claims import claim

MAX_ATTEMPTS = 6
TIMEOUT = 10.0
# Queued and due, or leased by a worker whose lease ran out.
_DUE = (
    "(state = 'queued' AND send_after <= %s) OR (state = 'sending' AND claimed_until < %s) "
    "ORDER BY send_after, id LIMIT %s"
)


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def claim_calls(limit: int = 20, lease: float = 60.0, now: datetime | None = None) -> list[int]:
    """Lease up to ``limit`` due calls (committed) and return their ids."""
    now = now or timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    table = WebhookCall._meta.db_table
    return claim(
        table,
        ", state = 'sending', attempts = attempts + 1",
        _DUE,
        [stamp, stamp, limit],
        lease,
        now,
    )


def _post(call: WebhookCall, secret: str) -> int:
    body = call.body.encode()
    request = urllib.request.Request(  # noqa: S310 - the URL was checked to be http(s) on save
        call.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Courtier-Signature": sign(secret, body),
            "X-Courtier-Delivery": str(call.public_id),
        },
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        return int(response.status)


def deliver(call_id: int, backoff: float = 30.0) -> str:
    """POST one claimed call; record sent, a retry with backoff, or failed. Returns the state.

    A 4xx other than 408/429 is permanent (the receiver refuses this body); 5xx, timeouts
    and refused connections are retried up to :data:`MAX_ATTEMPTS` times.
    """
    call = WebhookCall.objects.select_related("rule").get(pk=call_id)
    status: int | None = None
    error = ""
    try:
        status = _post(call, call.rule.webhook_secret)
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        error = f"no answer: {exc}"
    now = timezone.now()
    fields: dict[str, object] = {"claimed_until": None, "status_code": status}
    if not error:
        fields.update(state=WebhookState.SENT, sent_at=now, last_error="")
    elif (status and 400 <= status < 500 and status not in (408, 429)) or (
        call.attempts >= MAX_ATTEMPTS
    ):
        fields.update(state=WebhookState.FAILED, last_error=error[:500])
    else:
        delay = timedelta(seconds=backoff * 2 ** max(call.attempts - 1, 0))
        fields.update(state=WebhookState.QUEUED, send_after=now + delay, last_error=error[:500])
    WebhookCall.objects.filter(pk=call.pk, attempts=call.attempts).update(**fields)
    return str(fields["state"])


def deliver_due(limit: int = 20, backoff: float = 30.0, lease: float = 60.0) -> int:
    """Claim and deliver due calls; return how many were attempted."""
    ids = claim_calls(limit, lease)
    for call_id in ids:
        deliver(call_id, backoff)
    return len(ids)
