"""Console pages: my requests (due first), one request, and a customer's card."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from courtier.audit.services import log_access
from courtier.cases.services import cases, clocks, handoffs, tasks
from courtier.core.errors import DomainError
from courtier.customers.card import card_for
from courtier.customers.services.records import get_customer
from courtier.staff.services import actor_for_user


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required lets only signed-in staff through
    return user


def _not_found(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "cases/not_found.html", {"detail": exc.detail}, status=exc.status)


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member's active requests, the next deadline first, and their
    open tasks, overdue ones flagged."""
    now = timezone.now()
    me = _me(request).pk
    rows = [(c, clocks.case_clock(c, now)) for c in clocks.my_cases(me)[:200]]
    # Promises that fell due arrive here as tasks (``courtier promises-due``).
    todo = [(t, t.due_at < now) for t in tasks.open_tasks(me).select_related("case")[:200]]
    return render(request, "cases/my_requests.html", {"rows": rows, "tasks": todo})


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A request: the latest hand-off note first, then the conversation and history.

    A POST hands the request off; a refused hand-off shows the form with the reason.
    """
    try:
        case = cases.get_case(case_id)
    except DomainError as exc:
        return _not_found(request, exc)
    errors: dict[str, str] = {}
    form = {"to": "", "note": ""}
    if request.method == "POST":
        form = {"to": request.POST.get("to", ""), "note": request.POST.get("note", "")}
        try:
            handoffs.hand_off(actor_for_user(_me(request)), case, to=form["to"], note=form["note"])
        except DomainError as exc:
            errors = {e.field: e.message for e in exc.errors} or {"": exc.detail}
        else:
            return redirect("cases:detail", case_id=case.public_id)
    log_access(case.customer_id, actor_for_user(_me(request)), "view", "console case page")
    history = handoffs.handoffs_of(case)
    context = {
        "case": case,
        "clock": clocks.case_clock(case, timezone.now()),
        "latest": history[0] if history else None,
        "history": history,
        "conversation": cases.conversation(case),
        "form": form,
        "errors": errors,
    }
    return render(request, "cases/case_detail.html", context, status=422 if errors else 200)


@login_required
def customer_card(request: HttpRequest, customer_id: uuid.UUID) -> HttpResponse:
    """A customer's card as staff see it: open requests, pending promises, agreements."""
    try:
        customer = get_customer(customer_id)
    except DomainError as exc:
        return _not_found(request, exc)
    log_access(customer.pk, actor_for_user(_me(request)), "view", "console card")
    return render(request, "cases/customer_card.html", {"card": card_for(customer)})
