"""The search page and the as-you-type results fragment (one URL for both)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from courtier.console.htmx import page_or_partial, staff_view
from courtier.core.actor import Actor
from courtier.customers.services.search import MIN_CHARS, search_customers


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The console starts at search."""
    return HttpResponseRedirect(reverse("console:search"))


@require_GET
@staff_view
def search(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Show customers matching ``q``: the results list for htmx, the search page otherwise."""
    q = request.GET.get("q", "")
    hits = search_customers(q)
    context = {"q": q[:200], "hits": hits, "min_chars": MIN_CHARS, "searched": bool(q.strip())}
    return page_or_partial(request, "console/search.html", "console/partials/results.html", context)
