"""The customer's pages. Each view is thin: the scope reads, a service writes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courtier.cases.services.cases import conversation
from courtier.core.errors import Conflict, Invalid, NotFound
from courtier.customers.greeting import greet
from courtier.messaging.services.etiquette import SIGN_IN_PURPOSES
from courtier.messaging.services.preferences import CATEGORIES, CHANNELS, preferences_of
from courtier.portal.forms import PREFERENCE_FIELDS, fields, preference_changes
from courtier.portal.scope import CustomerScope, NotSignedIn, customer_scope
from courtier.portal.services import account, sessions
from courtier.portal.services.archive import build_archive

View = Callable[..., HttpResponse]
CSS = (Path(__file__).parent / "static" / "portal" / "portal.css").read_bytes()


def page(view: View) -> View:
    """Require a portal session; answer 404 for anything outside the customer's scope."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            scope = customer_scope(request)
        except NotSignedIn:
            return HttpResponseRedirect("/portal/sign-in/?next=" + quote(request.path))
        try:
            return view(request, scope, *args, **kwargs)
        except NotFound:
            return render(request, "portal/not_found.html", status=404)

    return wrapper


def _show(request: HttpRequest, template: str, scope: CustomerScope, **ctx: Any) -> HttpResponse:
    status = 422 if ctx.get("errors") else 200
    ctx.setdefault("customer", scope.customer)
    return render(request, f"portal/{template}", ctx, status=status)


@require_GET
def stylesheet(request: HttpRequest) -> HttpResponse:
    """The portal's one stylesheet (served here so the CSP can stay 'self' only)."""
    response = HttpResponse(CSS, content_type="text/css; charset=utf-8")
    return response


def _greeting(scope: CustomerScope, language: str) -> str:
    c = scope.customer
    words = greet(
        display_name=c.display_name,
        given_name=c.given_name,
        family_name=c.family_name,
        preferred_name=c.preferred_name,
        salutation=c.salutation,
        language=language,
        register=c.register,
    )
    return words["greeting"]


@require_GET
@page
def home(request: HttpRequest, scope: CustomerScope) -> HttpResponse:
    """Greeting, open requests, pending promises, upcoming renewals."""
    return _show(
        request,
        "home.html",
        scope,
        greeting=_greeting(scope, request.LANGUAGE_CODE),
        open_cases=list(scope.open_cases()[:20]),
        promises=list(scope.pending_promises()[:20]),
        renewals=list(scope.upcoming_renewals()[:20]),
    )


@require_GET
@page
def about_me(request: HttpRequest, scope: CustomerScope) -> HttpResponse:
    """Every fact with its source and when it was last verified."""
    return _show(request, "about_me.html", scope, facts=list(scope.facts()))


@require_POST
@page
def confirm_fact(request: HttpRequest, scope: CustomerScope, fact_id: str) -> HttpResponse:
    scope.fact_by_id(fact_id)
    try:
        fields(request, [])
        account.confirm_fact(scope, fact_id)
    except (Invalid, Conflict) as exc:
        return _show(request, "about_me.html", scope, facts=list(scope.facts()), errors=_errs(exc))
    return HttpResponseRedirect("/portal/about-me/")


@require_http_methods(["GET", "POST"])
@page
def wrong_fact(request: HttpRequest, scope: CustomerScope, fact_id: str) -> HttpResponse:
    """ "This is wrong": a correction request that becomes a case with an owner."""
    fact = scope.fact_by_id(fact_id)
    if request.method == "GET":
        return _show(request, "wrong_fact.html", scope, fact=fact)
    try:
        data = fields(request, ["note"])
        case = account.correct_fact(scope, fact_id, data.get("note", ""))
    except Invalid as exc:
        return _show(request, "wrong_fact.html", scope, fact=fact, errors=_errs(exc))
    return HttpResponseRedirect(f"/portal/requests/{case.public_id}/")


def _errs(exc: Invalid | Conflict) -> list[Any]:
    return exc.errors or [type("E", (), {"field": "", "message": exc.detail})()]


def _preferences_ctx(scope: CustomerScope) -> dict[str, Any]:
    prefs = preferences_of(scope.customer)
    grid = [
        (cat, [(ch, f"consent_{cat}_{ch}", prefs.consents_to(cat, ch)) for ch in CHANNELS])
        for cat in CATEGORIES
    ]
    return {
        "prefs": prefs,
        "grid": grid,
        "channels": CHANNELS,
        "history": list(scope.preference_history()[:100]),
    }


@require_http_methods(["GET", "POST"])
@page
def preferences(request: HttpRequest, scope: CustomerScope) -> HttpResponse:
    """Channels, consents, quiet hours, language, register; the history beneath."""
    if request.method == "POST":
        try:
            data = fields(request, PREFERENCE_FIELDS)
            account.change_settings(scope, preference_changes(data))
        except Invalid as exc:
            ctx = _preferences_ctx(scope)
            return _show(request, "preferences.html", scope, errors=exc.errors, **ctx)
        sessions.set_language(request.portal, scope.customer.language)  # type: ignore[attr-defined]
        return HttpResponseRedirect("/portal/preferences/?saved=1")
    ctx = _preferences_ctx(scope)
    return _show(request, "preferences.html", scope, saved="saved" in request.GET, **ctx)


@require_GET
@page
def requests_list(request: HttpRequest, scope: CustomerScope) -> HttpResponse:
    return _show(request, "requests.html", scope, cases=list(scope.cases()[:200]))


@require_http_methods(["GET", "POST"])
@page
def new_request(request: HttpRequest, scope: CustomerScope) -> HttpResponse:
    """Open a request: a subject and what they need, nothing more."""
    if request.method == "GET":
        return _show(request, "new_request.html", scope)
    try:
        data = fields(request, ["subject", "text"])
        case = account.open_request(scope, data.get("subject", ""), data.get("text", ""))
    except Invalid as exc:
        return _show(request, "new_request.html", scope, errors=exc.errors, form=request.POST)
    return HttpResponseRedirect(f"/portal/requests/{case.public_id}/")


@require_http_methods(["GET", "POST"])
@page
def request_detail(request: HttpRequest, scope: CustomerScope, case_id: str) -> HttpResponse:
    """One request's conversation, and the reply box."""
    case = scope.case_by_id(case_id)
    if request.method == "POST":
        try:
            data = fields(request, ["text"])
            account.reply(scope, case_id, data.get("text", ""))
        except (Invalid, Conflict) as exc:
            talk = conversation(case)
            return _show(request, "request.html", scope, case=case, talk=talk, errors=_errs(exc))
        return HttpResponseRedirect(f"/portal/requests/{case.public_id}/")
    return _show(request, "request.html", scope, case=case, talk=conversation(case))


@require_GET
@page
def agreements(request: HttpRequest, scope: CustomerScope) -> HttpResponse:
    return _show(
        request,
        "agreements.html",
        scope,
        agreements=list(scope.agreements()[:200]),
        promises=list(scope.promises()[:200]),
    )


@require_GET
@page
def messages(request: HttpRequest, scope: CustomerScope) -> HttpResponse:
    return _show(
        request,
        "messages.html",
        scope,
        messages=list(scope.messages()[:200]),
        sign_in_purposes=SIGN_IN_PURPOSES,
    )


@require_GET
@page
def accesses(request: HttpRequest, scope: CustomerScope) -> HttpResponse:
    """Who looked at my record: staff name and role, when, in which context."""
    rows = list(scope.accesses()[:200])
    ids = {r.user_id for r in rows if r.user_id}
    roles = {
        u.pk: ("administrator" if u.is_superuser else "staff")
        for u in User.objects.filter(pk__in=ids)
    }
    entries = [(r, roles.get(r.user_id or 0, r.actor_kind)) for r in rows]
    return _show(request, "accesses.html", scope, entries=entries)


@require_http_methods(["GET", "POST"])
@page
def download(request: HttpRequest, scope: CustomerScope) -> HttpResponse:
    """Download my data (POST builds the zip; GET shows what it holds)."""
    if request.method == "GET":
        return _show(request, "download.html", scope)
    try:
        fields(request, [])
    except Invalid as exc:
        return _show(request, "download.html", scope, errors=exc.errors)
    response = HttpResponse(build_archive(scope), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="my-data.zip"'
    return response


@require_POST
@page
def sign_out_everywhere(request: HttpRequest, scope: CustomerScope) -> HttpResponse:
    try:
        fields(request, [])
    except Invalid as exc:
        return _show(request, "home.html", scope, errors=exc.errors)
    sessions.end_everywhere(scope.customer)
    response = HttpResponseRedirect("/portal/sign-in/")
    response.delete_cookie(sessions.COOKIE, path="/portal/")
    return response
