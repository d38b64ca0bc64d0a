"""The WSGI application ``courtier serve`` runs: Django, with a fast lane for recognition.

Recognition is the product's hottest request: every call and chat that comes in opens a
card. Through Django's full stack (nine middleware, URL resolution, ninja's parameter and
auth machinery) a request cost about three times the recognition itself, and the endpoint
could not reach its 3,000 requests/s on two cores (measured in bench/recognize.py).

The lane answers only the plain, well-formed case: ``GET /api/v1/recognize`` with a live
``Authorization: Bearer`` token, a valid Host, and nothing but known parameters, each once
and within its length. It calls the same services as the ninja endpoint (the token check,
``recognize_one``, the access-log write) and answers errors with the same problem+json.
Anything else, including every request it is unsure about, goes to Django untouched, so
the behaviour a client sees is the ninja endpoint's in every case the lane does not take.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

import orjson
from django.conf import settings
from django.core import signals
from django.http.request import split_domain_port, validate_host

from courtier.wsgi import application as django_application

PATH = "/api/v1/recognize"
# Each parameter the endpoint takes and its longest accepted value (as in RecognizeQuery).
LIMITS = {
    "phone": 320,
    "email": 320,
    "handle": 320,
    "account": 320,
    "system": 64,
    "reason": 200,
}
# What Django's security middleware would add to this response.
_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
]
_STATUS = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found", 409: "409 Conflict"}
_STATUS |= {422: "422 Unprocessable Content", 500: "500 Internal Server Error"}
logger = logging.getLogger("django.request")
StartResponse = Callable[..., Any]


class _Finished(list[bytes]):
    """The response body; closing it tells Django the request is over, as its handler does."""

    def close(self) -> None:
        signals.request_finished.send(sender=FastLane)


def lane_params(environ: dict[str, Any]) -> dict[str, str] | None:
    """Return the query parameters if this request is one the lane answers, else None."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != PATH:
        return None
    if not environ.get("HTTP_AUTHORIZATION", "").startswith("Bearer "):
        return None
    domain, _port = split_domain_port(environ.get("HTTP_HOST") or "")
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    query = environ.get("QUERY_STRING", "")
    if not query.isascii():
        return None
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        limit = LIMITS.get(key)
        if limit is None or key in params or len(value) > limit:
            return None
        params[key] = value
    return params


class FastLane:
    """WSGI middleware: recognition requests in the lane, everything else to ``app``."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        params = lane_params(environ)
        if params is None:
            return self.app(environ, start_response)
        from courtier.staff.services import actor_for_token

        signals.request_started.send(sender=FastLane, environ=environ)
        actor = actor_for_token(environ["HTTP_AUTHORIZATION"][7:].strip())
        if actor is None:
            # Unknown or revoked: Django's auth chain words the 401 (or accepts a session).
            signals.request_finished.send(sender=FastLane)
            return self.app(environ, start_response)
        status, content_type, body = answer(actor, params)
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            *_HEADERS,
        ]
        start_response(_STATUS.get(status, str(status)), headers)
        return _Finished([body])


def answer(actor: Any, params: dict[str, str]) -> tuple[int, str, bytes]:
    """Run recognition for ``params``; return status, content type and body."""
    from courtier.core.errors import DomainError
    from courtier.core.problem import problem
    from courtier.customers.services.recognition import recognize_one

    try:
        card = recognize_one(
            actor,
            {k: params.get(k) for k in ("phone", "email", "handle", "account")},
            system=params.get("system") or None,
            reason=params.get("reason", ""),
        )
    except DomainError as exc:
        response = problem(exc.status, exc.title, exc.detail, exc.errors)
        return exc.status, response["Content-Type"], response.content
    except Exception:
        logger.exception("recognition failed in the fast lane")
        response = problem(500, "Server error", "The server failed; it has been logged.")
        return 500, response["Content-Type"], response.content
    return 200, "application/json", orjson.dumps(card)


application = FastLane(django_application)
