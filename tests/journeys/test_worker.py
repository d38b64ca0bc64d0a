"""Events are consumed by ``courtier worker``: in its loop, and as a real process.

The process tests start ``courtier worker`` on the test database, so they need committed
data and a server other processes can reach: PostgreSQL only (the SQLite test database
lives in memory). Every process is killed in ``finally``.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from courtier.audit.models import Event
from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.records import NewIdentifier, create_customer
from courtier.journeys.models import Firing, Rule
from courtier.journeys.services.rules import set_enabled
from courtier.journeys.starters import install_starters
from courtier.messaging.models import Message
from tests.messaging.servers import SmtpSink
from tests.messaging.test_worker_processes import _worker


def _welcome_only(system: Actor) -> Rule:
    install_starters(system)
    rule = Rule.objects.get(starter="welcome")
    return set_enabled(system, rule, True)


def _person(system: Actor, i: int) -> Customer:
    return create_customer(
        system,
        {"display_name": f"Person {i}", "language": "en"},
        identifiers=[NewIdentifier("email", f"p{i}@example.com")],
    )


@pytest.mark.django_db
def test_the_worker_loop_runs_the_journeys_steps(system: Actor) -> None:
    rule = _welcome_only(system)
    ada = _person(system, 1)
    steps = apps.get_app_config("journeys").worker_steps()  # type: ignore[attr-defined]
    assert sum(step() for step in steps) == 1
    assert Message.objects.filter(customer=ada, purpose="welcome").count() == 1
    assert Firing.objects.get(rule=rule).outcome == "fired"
    assert sum(step() for step in steps) == 0


@pytest.mark.django_db
def test_the_rules_command(system: Actor) -> None:
    from io import StringIO

    out = StringIO()
    call_command("rules", "install-starters", stdout=out)
    assert "5 rules and" in out.getvalue()
    call_command("rules", "list", stdout=out)
    assert "disabled  date.agreement_renewal" in out.getvalue()
    call_command("rules", "preview", "Welcome a new customer", stdout=out)
    assert "0 customers now" in out.getvalue()
    Rule.objects.update(enabled=True)
    call_command("rules", "run", "--now", "2026-03-02T15:00+00:00", stdout=out)
    assert "Renewal notice, 30 days ahead: fired 0" in out.getvalue()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    if connection.vendor != "postgresql":
        pytest.skip("worker subprocesses need a database other processes can open")
    with SmtpSink() as sink:
        yield sink


def _wait(condition: object, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():  # type: ignore[operator]
            return time.monotonic() - start
        time.sleep(0.01)
    raise AssertionError(f"not done within {timeout} s")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_event_is_acted_on_within_two_seconds_by_a_running_worker(
    system: Actor, smtp: SmtpSink
) -> None:
    _welcome_only(system)
    proc = _worker(smtp)
    try:
        _person(system, 0)  # warm-up: the worker has started and done its first turn
        _wait(lambda: Message.objects.filter(purpose="welcome").exists(), 30)
        ada = _person(system, 1)  # committed here: no transaction around the test
        took = _wait(lambda: Message.objects.filter(customer=ada, purpose="welcome").exists(), 5)
    finally:
        proc.kill()
        proc.wait()
    assert took <= 2.0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_workers_killed_mid_run_resume_without_doubles(system: Actor, smtp: SmtpSink) -> None:
    rule = _welcome_only(system)
    total = 600  # three claims of 200 events: a kill right after the first commit is mid-run
    people = {_person(system, i).pk for i in range(total)}
    settled_at_kills: list[int] = []
    proc: subprocess.Popen[bytes] | None = None
    try:
        for _ in range(3):
            before = Firing.objects.filter(rule=rule).count()
            proc = _worker(smtp, "--batch", "5", "--lease", "1")
            _wait(lambda before=before: Firing.objects.filter(rule=rule).count() > before, 60)
            proc.send_signal(signal.SIGKILL)  # as soon as it has acted on something
            proc.wait()
            settled_at_kills.append(Firing.objects.filter(rule=rule).count())
            time.sleep(1.1)  # its leases run out
        proc = _worker(smtp, "--until-idle", "--lease", "1")
        proc.wait(timeout=180)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
    print(f"firings when each worker was killed: {settled_at_kills} of {total}")
    assert any(0 < n < total for n in settled_at_kills)  # at least one kill was mid-run
    sent = Counter(Message.objects.filter(purpose="welcome").values_list("customer_id", flat=True))
    assert set(sent) == people
    assert set(sent.values()) == {1}
    assert Firing.objects.filter(rule=rule, outcome="fired").count() == total
    assert Event.objects.filter(handled_at=None).count() == 0
