"""Middleware of our own: the CSP header built once, and browser-only middleware.

Two costs that every request paid and most did not need, measured on recognition (the
hottest endpoint): django-csp rebuilt the same site-wide policy twice per response (its
own and the report-only one), and an API call carrying a bearer token went through
sessions, CSRF, messages, language negotiation and htmx, none of which it uses.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string

_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace")
_PER_RESPONSE_RO = ("_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_site_policy: dict[bool, str] = {}


def _forget_site_policy(*, setting: str, **_: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policy.clear()


setting_changed.connect(_forget_site_policy)


def site_policy(report_only: bool) -> str:
    """The site-wide policy (or report-only policy) header value, built once per process."""
    if report_only not in _site_policy:
        _site_policy[report_only] = build_policy(report_only=report_only)
    return _site_policy[report_only]


class CSPMiddleware(_CSPMiddleware):
    """django-csp's middleware, with the site-wide policy cached.

    A response that carries its own parts (the portal's stricter policy) or a request that
    used a nonce takes django-csp's own path; everything else gets the same string, which
    depends only on settings.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        own_parts = any(getattr(response, a, None) is not None for a in _PER_RESPONSE)
        own_parts_ro = any(getattr(response, a, None) is not None for a in _PER_RESPONSE_RO)
        if own_parts or own_parts_ro or getattr(request, "_csp_nonce", None) is not None:
            return super().process_response(request, response)
        debug_page = response.status_code in (
            http.client.INTERNAL_SERVER_ERROR,
            http.client.NOT_FOUND,
        )
        if debug_page and settings.DEBUG:
            return response
        for report_only, header, exempt in (
            (False, HEADER, "_csp_exempt"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro"),
        ):
            policy = site_policy(report_only)
            if not policy or header in response or getattr(response, exempt, False):
                continue
            name = "CONTENT_SECURITY_POLICY" + ("_REPORT_ONLY" if report_only else "")
            prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (scheme in any case), or None."""
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def token_api_request(request: HttpRequest) -> bool:
    """True for an API call that authenticates with a bearer token and carries no session.

    Such a call never reads a session, a CSRF cookie, flash messages or htmx headers, and
    API answers are not translated, so the browser-only middleware can step aside.
    """
    known: bool | None = getattr(request, "_courtier_token_api", None)
    if known is None:
        known = (
            request.path_info.startswith("/api/")
            and bearer_token(request) is not None
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )
        # Asked by each wrapped middleware: decided once per request.
        request._courtier_token_api = known  # type: ignore[attr-defined]
    return known


def for_browsers(path: str, on_skip: Callable[[HttpRequest], None] | None = None) -> type:
    """Wrap the middleware at ``path`` so that token API calls go straight past it.

    ``on_skip`` leaves the request in the state later code expects when the middleware
    did not run (the authentication middleware's ``request.user``).
    """
    base: type = import_string(path)

    def __call__(self: Any, request: HttpRequest) -> Any:
        if token_api_request(request):
            if on_skip is not None:
                on_skip(request)
            return self.get_response(request)
        return base.__call__(self, request)

    doc = f"{path}, skipped for API calls that authenticate with a bearer token."
    return type(base.__name__, (base,), {"__call__": __call__, "__doc__": doc})


def _anonymous(request: HttpRequest) -> None:
    # A bearer token that fails falls back to session authentication, which reads this.
    request.user = AnonymousUser()


SessionMiddleware = for_browsers("django.contrib.sessions.middleware.SessionMiddleware")
LocaleMiddleware = for_browsers("django.middleware.locale.LocaleMiddleware")
CsrfViewMiddleware = for_browsers("django.middleware.csrf.CsrfViewMiddleware")
AuthenticationMiddleware = for_browsers(
    "django.contrib.auth.middleware.AuthenticationMiddleware", on_skip=_anonymous
)
MessageMiddleware = for_browsers("django.contrib.messages.middleware.MessageMiddleware")
HtmxMiddleware = for_browsers("django_htmx.middleware.HtmxMiddleware")
