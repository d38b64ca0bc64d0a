"""Portal request handling: who is signed in, in which language, under which headers.

Scoped to ``/portal/``: the staff console keeps Django's session and its own headers;
a portal cookie means nothing outside this prefix, and a staff session nothing inside it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from courtier.portal.services.sessions import COOKIE, resolve

PREFIX = "/portal/"
LANG_COOKIE = "courtier_portal_lang"
MAX_BODY = 64 * 1024
LANGUAGES = {code for code, _ in settings.LANGUAGES}
# Stricter than the console's policy: the portal has no script at all and one stylesheet of
# our own. Handed to django-csp (which writes the header for the whole site) rather than
# written here, so one middleware owns the header.
CSP: dict[str, list[str]] = {
    "default-src": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
}


class PortalMiddleware:
    """Attach ``request.portal`` (or None), pick the language, harden the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            response = HttpResponse(
                f"Request too large: the portal accepts at most {MAX_BODY // 1024} KB.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
            return self._harden(response)
        signed_in = resolve(request.COOKIES.get(COOKIE, ""))
        request.portal = signed_in  # type: ignore[attr-defined]
        language = request.COOKIES.get(LANG_COOKIE, "")
        if signed_in is not None:
            language = signed_in.session.language or signed_in.customer.language
        if language not in LANGUAGES:
            language = translation.get_language_from_request(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        return self._harden(response)

    @staticmethod
    def _harden(response: HttpResponse) -> HttpResponse:
        response._csp_config = CSP  # type: ignore[attr-defined]
        # same-origin: the link page's token never leaves the site, yet forms keep an Origin
        # (no-referrer makes browsers send "Origin: null", which CSRF checks refuse).
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
