"""The recognition fast lane answers exactly as the ninja endpoint does, or lets it answer."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
from django.core import signals
from django.db import close_old_connections

from courtier.audit.models import AccessLog
from courtier.customers.models import Customer
from courtier.fastlane import FastLane, application, lane_params
from tests.conftest import ApiClient


@pytest.fixture(autouse=True)
def _keep_the_test_transaction() -> Iterator[None]:
    # As Django's test client does: the request signals would otherwise close the
    # connection that holds this test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def environ(query: dict[str, str], token: str | None, **extra: str) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/v1/recognize",
        "QUERY_STRING": urlencode(query),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    if token:
        env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    env.update(extra)
    return env


def call(app: Any, env: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    body = app(env, start_response)
    try:
        data = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    is_json = "json" in seen["headers"].get("Content-Type", "")
    return seen["status"], seen["headers"], orjson.loads(data) if is_json else data


def token_of(api: ApiClient) -> str:
    return str(api.client.defaults["HTTP_AUTHORIZATION"]).removeprefix("Bearer ")


CASES = [
    ({"phone": "(514) 555 0199", "reason": "inbound call"}, True),
    ({"email": "MARIE.Tremblay@example.com"}, True),
    ({"account": "a-1001", "system": "billing"}, True),
    ({"phone": "514 555 0100"}, True),  # nobody: 404
    ({"phone": "12"}, True),  # malformed: 422 naming phone
    ({"phone": "5145550199", "email": "a@example.com"}, True),  # two: 422
    ({}, True),  # none: 422
    ({"phnoe": "5145550199"}, False),  # unknown parameter: ninja's 422
    ({"phone": "5145550199", "reason": "x" * 201}, False),  # too long: ninja's 422
]


@pytest.mark.parametrize(("query", "in_lane"), CASES)
def test_lane_and_ninja_give_the_same_answer(
    api: ApiClient, marie: Customer, query: dict[str, str], in_lane: bool
):
    token = token_of(api)
    assert (lane_params(environ(query, token)) is not None) is in_lane
    status, headers, body = call(application, environ(query, token))
    expected = api.get("/recognize", **query)
    assert status == expected.status_code
    assert headers["Content-Type"] == expected["Content-Type"]
    if status == 200:
        assert body == expected.json()
        assert headers["X-Content-Type-Options"] == "nosniff"
    else:
        assert body == expected.json()


def test_each_recognition_in_the_lane_is_logged_as_the_token_holder(
    api: ApiClient, marie: Customer
):
    status, _, card = call(application, environ({"phone": "514.555.0199"}, token_of(api)))
    assert status == 200
    assert card["id"] == str(marie.public_id)
    entry = AccessLog.objects.get(customer_id=marie.pk, action="recognize")
    assert entry.actor_label == "alice via token tests"
    assert entry.reason == "recognized by phone"


@pytest.mark.parametrize(
    ("token", "extra", "status"),
    [
        (None, {}, 401),  # no credentials
        ("ctr_unknown", {}, 401),  # unknown token: Django's auth chain refuses it
        ("TOKEN", {"HTTP_HOST": "evil.example"}, 400),  # Host not allowed
    ],
)
def test_what_the_lane_does_not_take_gets_djangos_answer(
    api: ApiClient, marie: Customer, token: str | None, extra: dict[str, str], status: int
):
    real = token_of(api) if token == "TOKEN" else token
    got, _, _ = call(application, environ({"phone": "5145550199"}, real, **extra))
    assert got == status
    assert not AccessLog.objects.filter(action="recognize").exists()


def test_other_requests_pass_through_untouched(api: ApiClient, marie: Customer):
    seen = []

    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(env["PATH_INFO"])
        start_response("204 No Content", [])
        return []

    lane = FastLane(app)
    env = environ({}, token_of(api), PATH_INFO=f"/api/v1/customers/{marie.public_id}")
    assert call(lane, env)[0] == 204
    assert call(lane, environ({"phone": "1"}, token_of(api), REQUEST_METHOD="POST"))[0] == 204
    assert len(seen) == 2
