"""Sign-in and sign-out pages."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from courtier.console.services.signin import check_credentials
from courtier.core.errors import DomainError


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("console:home")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Show the sign-in form; on POST check the credentials under the failure limit."""
    context = {"next": _next_url(request), "username": "", "error": "", "field": ""}
    if request.method == "POST":
        username = request.POST.get("username", "")
        context["username"] = username
        try:
            user = check_credentials(request, username, request.POST.get("password", ""))
        except DomainError as exc:
            context["error"] = exc.detail
            context["field"] = exc.errors[0].field if exc.errors else ""
            return render(request, "console/sign_in.html", context, status=exc.status)
        login(request, user)
        return HttpResponseRedirect(context["next"])
    return render(request, "console/sign_in.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the session (POST only, so a link or an image cannot sign anyone out)."""
    logout(request)
    return HttpResponseRedirect(reverse("console:sign-in"))
