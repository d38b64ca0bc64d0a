"""Console page: promises due, overdue ones first and flagged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from courtier.promises.services.promises import due_promises, overdue


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required lets only signed-in staff through
    return user


@login_required
def promises_due(request: HttpRequest) -> HttpResponse:
    """Pending promises with a due date: yours, or everyone's with ``?all=1``."""
    now = timezone.now()
    everyone = request.GET.get("all") == "1"
    qs = due_promises(now, owner_id=None if everyone else _me(request).pk)
    rows = [(p, overdue(p, now)) for p in qs[:200]]
    return render(request, "promises/due.html", {"rows": rows, "everyone": everyone})
