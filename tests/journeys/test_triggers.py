"""Date triggers: the customer's own calendar day, birthdays, end dates, and indexed reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.facts import record_fact
from courtier.customers.services.records import create_customer
from courtier.journeys.models import Rule
from courtier.journeys.services.actions import change_tag
from courtier.journeys.services.engine import run_rule
from courtier.journeys.services.rules import save_rule
from courtier.journeys.triggers import date_candidates
from courtier.promises.services.agreements import create_agreement
from tests.journeys.conftest import NOW, renewing

pytestmark = pytest.mark.django_db


def _tagging(system: Actor, trigger: str, days: int = 0, condition: object = None) -> Rule:
    data = {
        "name": trigger,
        "trigger": trigger,
        "days": days,
        "condition": condition or {},
        "actions": [{"type": "add_tag", "tag": "reached"}],
    }
    return save_rule(system, data)


def _tagged() -> set[str]:
    return set(Customer.objects.filter(tags__tag="reached").values_list("display_name", flat=True))


def test_a_birthday_is_the_customers_own_day(system: Actor) -> None:
    # 2026-03-02 15:00 UTC is already 03-03 in Tokyo (00:00) and still 03-02 in Toronto.
    late = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    tokyo = create_customer(system, {"display_name": "Aiko", "time_zone": "Asia/Tokyo"})
    toronto = create_customer(system, {"display_name": "Luc"})
    other = create_customer(system, {"display_name": "Zoé"})
    record_fact(system, tokyo, "birth_date", "1990-03-03", source="portal")
    record_fact(system, toronto, "birth_date", "1985-03-02", source="portal")
    record_fact(system, toronto, "birth_date", "1985-03-02", source="billing")  # twice: once
    record_fact(system, other, "birth_date", "1985-03-04", source="portal")
    rule = _tagging(system, "date.birthday")
    report = run_rule(rule, date_candidates("date.birthday", 0, late), late)
    assert report.fired == 2
    assert _tagged() == {"Aiko", "Luc"}
    assert run_rule(rule, date_candidates("date.birthday", 0, late), late).fired == 0


def test_agreement_end_and_a_condition_on_agreements_facts_and_tags(
    system: Actor, marie: Customer, jean: Customer
) -> None:
    for person in (marie, jean):
        create_agreement(
            system,
            person,
            product="Forfait",
            start_date=date(2025, 3, 16),
            term_months=12,
            price="10",
        )  # ends 2026-03-16, 14 days after NOW
    record_fact(system, marie, "segment", "gold", source="crm")
    change_tag(system, jean, "vip", add=True)
    condition = {
        "and": [
            {"attr": "agreements.active", "op": "ge", "value": 1},
            {"attr": "agreement.product", "op": "eq", "value": "Forfait"},
            {
                "or": [
                    {"attr": "segment", "op": "eq", "value": "gold"},
                    {"attr": "tags", "op": "contains", "value": "nobody"},
                ]
            },
        ]
    }
    rule = _tagging(system, "date.agreement_end", 14, condition)
    report = run_rule(rule, date_candidates("date.agreement_end", 14, NOW), NOW)
    assert (report.fired, report.suppressed) == (1, 1)
    assert _tagged() == {"Marie Tremblay"}


def test_a_date_trigger_reads_only_the_window_through_an_index(
    system: Actor, renewal_template: None
) -> None:
    renewing(system, 3)
    for i in range(20):  # customers renewing on other days
        c = create_customer(system, {"display_name": f"Later {i}"})
        create_agreement(
            system,
            c,
            product="Plan",
            start_date=date(2025, 5, 1) + timedelta(days=i),
            term_months=12,
            price="10",
        )
    with CaptureQueriesContext(connection) as queries:
        found = list(date_candidates("date.agreement_renewal", 30, NOW))
    assert len(found) == 3
    assert len(queries.captured_queries) == 1
    if connection.vendor == "sqlite":
        sql = queries.captured_queries[0]["sql"]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "USING INDEX promises_ag_effecti" in plan, plan
