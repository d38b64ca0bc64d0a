"""Sign-in pages: ask for a link or code, the Continue page, sign out (thin views)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from courtier.core.errors import Invalid
from courtier.customers.models import Customer
from courtier.portal.forms import fields, safe_next
from courtier.portal.middleware import LANG_COOKIE, LANGUAGES
from courtier.portal.services import sessions, signin

SECURE = settings.SESSION_COOKIE_SECURE


def _signed_in(request: HttpRequest, customer: Customer, to: str) -> HttpResponse:
    old = request.COOKIES.get(sessions.COOKIE, "")
    key = sessions.start_session(customer, old, request.COOKIES.get(LANG_COOKIE, ""))
    response = HttpResponseRedirect(safe_next(to))
    response.set_cookie(
        sessions.COOKIE,
        key,
        max_age=int(sessions.SESSION_TTL.total_seconds()),
        path="/portal/",
        secure=SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for a link (email) or a code (SMS); the answer never says whether we know you."""
    if request.method != "POST":
        nxt = safe_next(request.GET.get("next"))
        return render(request, "portal/sign_in.html", {"next": nxt})
    try:
        data = fields(request, ["identifier", "next"])
        claim = signin.request_sign_in(data.get("identifier", ""), request.META["REMOTE_ADDR"])
    except signin.RateLimited:
        return render(request, "portal/sign_in.html", {"limited": True}, status=429)
    except Invalid as exc:
        bad = {"errors": exc.errors, "next": safe_next(request.POST.get("next"))}
        return render(request, "portal/sign_in.html", bad, status=422)
    sent: dict[str, object] = {"claim": claim, "next": safe_next(data.get("next"))}
    return render(request, "portal/sign_in_sent.html", sent)


@require_POST
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Check the six-digit code sent by SMS."""
    try:
        data = fields(request, ["identifier", "code", "next"])
    except Invalid as exc:
        return render(request, "portal/sign_in.html", {"errors": exc.errors}, status=422)
    customer = signin.redeem_code(data.get("identifier", ""), data.get("code", ""))
    if customer is None:
        ctx = {"bad_code": True, "identifier": data.get("identifier", "")[:320]}
        return render(request, "portal/sign_in_sent.html", ctx, status=400)
    return _signed_in(request, customer, data.get("next", ""))


@require_http_methods(["GET", "HEAD"])
def link_page(request: HttpRequest, token: str) -> HttpResponse:
    """The page a link opens: a Continue button only. Mail scanners that fetch links
    neither spend the token nor get a session; nothing is even looked up here."""
    ctx = {"token": token[:100], "next": safe_next(request.GET.get("next"))}
    return render(request, "portal/continue.html", ctx)


@require_POST
def link_continue(request: HttpRequest) -> HttpResponse:
    """Spend the link and sign in with a fresh session key."""
    try:
        data = fields(request, ["token", "next"])
    except Invalid as exc:
        return render(request, "portal/sign_in.html", {"errors": exc.errors}, status=422)
    customer = signin.redeem_link(data.get("token", ""))
    if customer is None:
        return render(request, "portal/sign_in.html", {"dead_link": True}, status=400)
    return _signed_in(request, customer, data.get("next", ""))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign this browser out."""
    sessions.end_session(request.COOKIES.get(sessions.COOKIE, ""))
    response = HttpResponseRedirect("/portal/sign-in/")
    response.delete_cookie(sessions.COOKIE, path="/portal/")
    return response


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The language switch: for this browser (and this session when signed in)."""
    try:
        data = fields(request, ["language", "next"])
    except Invalid as exc:
        return render(request, "portal/sign_in.html", {"errors": exc.errors}, status=422)
    code = data.get("language", "")
    if code not in LANGUAGES:
        code = "en"
    signed_in = getattr(request, "portal", None)
    if signed_in is not None:
        sessions.set_language(signed_in, code)
    response = HttpResponseRedirect(safe_next(data.get("next")))
    response.set_cookie(
        LANG_COOKIE, code, max_age=365 * 86400, path="/portal/", secure=SECURE, samesite="Lax"
    )
    return response
