"""RFC 9457 problem documents: every API error names its field and its reason."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from django.http import HttpResponse

from courtier.core.errors import FieldError, Invalid

CONTENT_TYPE = "application/problem+json"


def problem(
    status: int, title: str, detail: str, errors: list[FieldError] | None = None
) -> HttpResponse:
    """Return a problem+json response; ``errors`` lists each field and why it was refused."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return HttpResponse(orjson.dumps(body), status=status, content_type=CONTENT_TYPE)


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """Turn a pydantic location such as ``("body", "payload", "phone")`` into ``phone``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    # ninja wraps a request body in the handler's parameter name ("payload").
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "request"


def refuse_unknown_params(params: Iterable[str], allowed: Iterable[str]) -> None:
    """Raise :class:`Invalid` naming each query parameter the endpoint does not take.

    ninja ignores unknown query parameters; a typo such as ``?phnoe=`` would then silently
    mean "no filter", so we refuse it instead.
    """
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise Invalid(
            "unknown query parameter: " + ", ".join(unknown),
            [FieldError(name, "is not a parameter of this endpoint") for name in unknown],
        )
