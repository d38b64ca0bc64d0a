"""What every console view shares: the staff check and "partial for htmx, page otherwise".

One handler per URL: an htmx request gets the fragment it asked for, a normal request the
full page that includes that same fragment, so a link works with JavaScript off too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from courtier.console.services.roles import USE, permissions_of
from courtier.core.actor import Actor
from courtier.staff.services import actor_for_user

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, Actor, P], HttpResponse]


def is_htmx(request: HttpRequest) -> bool:
    """Return whether htmx sent this request (django-htmx sets ``request.htmx``)."""
    details = getattr(request, "htmx", None)
    return isinstance(details, HtmxDetails) and bool(details)


def htmx_target(request: HttpRequest) -> str:
    """Return the id of the element htmx will swap the answer into, or ``""``."""
    details = getattr(request, "htmx", None)
    if isinstance(details, HtmxDetails) and details:
        return details.target or ""
    return ""


def redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect a page load, or tell htmx to load ``url`` as a whole page."""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def page_or_partial(
    request: HttpRequest,
    page: str,
    partial: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """Render ``partial`` for an htmx request and ``page`` (which includes it) otherwise."""
    return render(request, partial if is_htmx(request) else page, context, status=status)


def staff_view(view: View[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Let only signed-in staff with ``console.use_console`` in; hand the view its actor.

    Anyone else is sent to the sign-in page, which brings them back here afterwards.
    """

    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        if isinstance(user, AnonymousUser) or not user.is_active:
            target = request.get_full_path() if not is_htmx(request) else reverse("console:home")
            query = urlencode({"next": target})
            return redirect(request, f"{reverse('console:sign-in')}?{query}")
        if USE not in permissions_of(request):
            return render(request, "console/forbidden.html", status=403)
        return view(request, actor_for_user(user), *args, **kwargs)

    # Not functools.wraps: its typing cannot express dropping the actor argument.
    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    wrapper.__module__ = view.__module__
    return wrapper
