"""A rule's webhook: a signed POST to a real HTTP server on loopback, retried, then given up."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.journeys.models import Rule, WebhookCall
from courtier.journeys.services.actions import change_tag
from courtier.journeys.services.rules import save_rule, set_enabled
from courtier.journeys.services.runner import consume_events
from courtier.journeys.services.webhooks import claim_calls, deliver, deliver_due, sign
from tests.messaging.servers import SmsProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver() -> Iterator[SmsProvider]:
    # The SMS tests' scripted HTTP server: it records each POST and answers as told.
    with SmsProvider() as server:
        yield server


def _rule(system: Actor, url: str) -> Rule:
    data = {
        "name": "tell the CRM",
        "trigger": "tag.added",
        "condition": {"attr": "event.tag", "op": "eq", "value": "vip"},
        "actions": [{"type": "webhook", "url": url}],
    }
    return set_enabled(system, save_rule(system, data), True)


def test_a_fired_rule_posts_a_signed_body(
    system: Actor, marie: Customer, receiver: SmsProvider
) -> None:
    rule = _rule(system, receiver.url)
    change_tag(system, marie, "vip", add=True)
    change_tag(system, marie, "newsletter", add=True)  # not vip: the condition refuses it
    consume_events()
    assert deliver_due(backoff=0.0) == 1
    [body] = receiver.provider.requests
    [headers] = receiver.provider.headers
    assert body["rule"] == "tell the CRM"
    assert body["customer"] == str(marie.public_id)
    assert body["data"]["event"] == {"tag": "vip"}
    call = WebhookCall.objects.get()
    assert call.state == "sent"
    assert headers["X-Courtier-Delivery"] == str(call.public_id)
    assert headers["X-Courtier-Signature"] == sign(rule.webhook_secret, call.body.encode())
    assert orjson.loads(call.body) == body


def test_a_server_error_is_retried_and_a_refusal_is_final(
    system: Actor, marie: Customer, jean: Customer, receiver: SmsProvider
) -> None:
    _rule(system, receiver.url)
    receiver.provider.script = [(503, {}, 0.0), (404, {}, 0.0)]
    change_tag(system, marie, "vip", add=True)
    consume_events()
    assert deliver_due(backoff=0.0) == 1  # 503: queued again
    call = WebhookCall.objects.get()
    assert (call.state, call.attempts, call.last_error) == ("queued", 1, "HTTP 503")
    assert deliver_due(backoff=0.0) == 1  # 404: the receiver refuses this body for good
    call.refresh_from_db()
    assert (call.state, call.status_code) == ("failed", 404)
    assert deliver_due(backoff=0.0) == 0


def test_a_receiver_that_does_not_answer_is_retried(system: Actor, marie: Customer) -> None:
    from tests.messaging.servers import free_port

    _rule(system, f"http://127.0.0.1:{free_port()}/nobody")
    change_tag(system, marie, "vip", add=True)
    consume_events()
    [call_id] = claim_calls()
    assert deliver(call_id, backoff=0.0) == "queued"
    call = WebhookCall.objects.get()
    assert call.last_error.startswith("no answer:")


def test_the_webhook_url_is_checked_on_save(system: Actor) -> None:
    from courtier.core.errors import Invalid

    with pytest.raises(Invalid) as caught:
        _rule(system, "ftp://example.com/x")
    assert caught.value.errors[0].field == "actions[0].url"
