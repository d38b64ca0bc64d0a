"""The REST API under /api/v1: token or session authentication, problem+json errors."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer
from ninja.security import HttpBearer, django_auth

from courtier.core.errors import DomainError, FieldError
from courtier.core.middleware import bearer_token
from courtier.core.problem import field_name, problem
from courtier.staff.services import actor_for_token


class ORJSONRenderer(BaseRenderer):
    """JSON through orjson: several times faster than the standard encoder on cards."""

    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, default=str)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ctr_…`` for integrations; see ``courtier token``."""

    def __call__(self, request: HttpRequest) -> Any:
        # HttpBearer reads request.headers, which builds a dict of every header on each
        # call: a tenth of the middleware-free cost of a recognition. One META read instead.
        token = bearer_token(request)
        return None if token is None else self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return actor_for_token(token)


api = NinjaAPI(
    title="Courtier API",
    version="1",
    description="Customers, identifiers, facts, the timeline and instant recognition.",
    auth=[TokenAuth(), django_auth],
    renderer=ORJSONRenderer(),
    urls_namespace="api-v1",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(exc.status, exc.title, exc.detail, exc.errors)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [FieldError(field_name(e.get("loc", ())), str(e.get("msg", ""))) for e in exc.errors]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or "invalid request"
    return problem(422, "Invalid input", detail, errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(401, "Unauthorized", "Sign in, or send Authorization: Bearer <token>.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, "Error", str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, "Not found", str(exc) or "Nothing is here.")


def _register_routers() -> None:
    from courtier.cases.api import router as cases
    from courtier.customers.api import router as customers
    from courtier.identity.api import router as identity
    from courtier.interactions.api import router as interactions
    from courtier.journeys.api import router as journeys
    from courtier.messaging.api import router as messaging
    from courtier.messaging.api import webhooks as messaging_webhooks
    from courtier.promises.api import router as promises

    api.add_router("", customers)
    api.add_router("", interactions)
    api.add_router("", cases)
    api.add_router("", promises)
    api.add_router("", messaging)
    api.add_router("", messaging_webhooks)
    api.add_router("", identity)
    api.add_router("", journeys)


_register_routers()
