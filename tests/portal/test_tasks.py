"""The worker's hourly sweep of old sign-in rows (portal/tasks.py)."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from courtier.portal.models import SignInRequest
from courtier.portal.tasks import SWEEP_EVERY, worker_steps


def _request(age: timedelta) -> SignInRequest:
    return SignInRequest.objects.create(at=timezone.now() - age, ip="127.0.0.1", subject="m@x.ca")


def test_sweep_forgets_day_old_rows_once_an_hour(db: None):
    now = [1000.0]
    (sweep,) = worker_steps(clock=lambda: now[0])
    old, fresh = _request(timedelta(days=2)), _request(timedelta(minutes=5))
    assert sweep() == 0  # housekeeping never keeps an idle worker busy
    assert list(SignInRequest.objects.values_list("pk", flat=True)) == [fresh.pk]
    again = _request(timedelta(days=3))
    now[0] += SWEEP_EVERY - 1
    sweep()
    assert SignInRequest.objects.filter(pk=again.pk).exists()  # not yet an hour
    now[0] += 1
    sweep()
    assert not SignInRequest.objects.filter(pk__in=[old.pk, again.pk]).exists()


def test_courtier_worker_runs_the_sweep():
    steps = apps.get_app_config("portal").worker_steps(lease=30)  # type: ignore[attr-defined]
    assert len(steps) == 1
