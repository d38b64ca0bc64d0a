"""Timing the console's search fragment and screen pop against their bare-query ceilings."""

from __future__ import annotations

import random
import time
from typing import Any

from bench import people


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def summary(name: str, product: list[float], ceiling: list[float]) -> dict[str, float]:
    figures = {
        f"{name}_p50_ms": pct(product, 0.50),
        f"{name}_p99_ms": pct(product, 0.99),
        f"{name}_ceiling_p50_ms": pct(ceiling, 0.50),
        f"{name}_ceiling_p99_ms": pct(ceiling, 0.99),
    }
    figures[f"{name}_ratio_p99"] = figures[f"{name}_p99_ms"] / max(
        figures[f"{name}_ceiling_p99_ms"], 1e-6
    )
    print(
        f"{name:>10}: product p50 {figures[f'{name}_p50_ms']:.2f} ms, "
        f"p99 {figures[f'{name}_p99_ms']:.2f} ms | ceiling p50 "
        f"{figures[f'{name}_ceiling_p50_ms']:.3f} ms, "
        f"p99 {figures[f'{name}_ceiling_p99_ms']:.3f} ms"
        f" | ratio p99 {figures[f'{name}_ratio_p99']:.1f}x  (n={len(product)})"
    )
    return {k: round(v, 3) for k, v in figures.items()}


def _ceiling_search_sql(vendor: str, q: Any) -> list[tuple[str, list[Any]]]:
    """The index queries the search service runs, without fetching names or identifiers."""
    out: list[tuple[str, list[Any]]] = []
    if vendor == "sqlite":
        if q.words:
            out.append(
                (
                    "SELECT rowid FROM customers_name_fts WHERE name MATCH ? LIMIT 10",
                    [" ".join(f'"{w}"*' for w in q.words)],
                )
            )
        if q.fragment:
            out.append(
                (
                    "SELECT customer_id FROM customers_identifier_fts WHERE value MATCH ? LIMIT 10",
                    ['"' + q.fragment.replace('"', '""') + '"'],
                )
            )
        return out
    from courtier.customers.services.search import postgres_id_query

    # The token-table query the service runs, as one statement.
    sql, params = postgres_id_query(q)
    return [(sql, params)] if sql else []


def _raw_card_sql(vendor: str) -> list[str]:
    from courtier.customers.card import _FACTS, _IDENTIFIERS
    from courtier.customers.services.recognition import _LOOKUP
    from courtier.interactions.services import _CARD

    statements = [q.sql for q in (_LOOKUP, _IDENTIFIERS, _FACTS, _CARD)]
    return [s.replace("%s", "?") for s in statements] if vendor == "sqlite" else statements


def measure(customers: int, pops: int, queries: list[str]) -> dict[str, Any]:
    """Time the search fragment and the screen pop, then the same reads on a bare connection."""
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client

    from courtier.customers.services.search import parse

    user, _ = User.objects.get_or_create(username="bench-agent")
    user.groups.add(Group.objects.get(name="agent"))
    htmx = Client(HTTP_HOST="localhost", headers={"HX-Request": "true"})
    htmx.force_login(user)
    page = Client(HTTP_HOST="localhost")
    page.force_login(user)
    vendor = connection.vendor
    figures: dict[str, Any] = {"vendor": vendor}

    def product_search(q: str) -> None:
        response = htmx.get("/console/search", {"q": q})
        assert response.status_code == 200, (q[:40], response.status_code)

    raw = connection.connection
    prepared = [_ceiling_search_sql(vendor, parse(q)) for q in queries]

    def ceiling_search(statements: list[tuple[str, list[Any]]]) -> None:
        cursor = raw.cursor()
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
        cursor.close()

    for q in queries[:200]:  # warm the caches the way a working day does
        product_search(q)
    times = _time(product_search, queries)
    ceiling = _time(ceiling_search, prepared)
    figures.update(summary("search", times, ceiling))

    rnd = random.Random(11)
    numbers = [rnd.randrange(customers) for _ in range(pops)]
    typed = [people.phone_typed(n, rnd.randrange(4)) for n in numbers]

    def product_pop(phone: str) -> None:
        response = page.get("/console/incoming", {"phone": phone})
        assert response.status_code == 200, phone
        assert b'id="pop-name"' in response.content, phone

    card_sql = _raw_card_sql(vendor)

    def ceiling_pop(n: int) -> None:
        cursor = raw.cursor()
        cursor.execute(card_sql[0], ["phone", people.phone_e164(n)])
        row = cursor.fetchall()[0]
        for sql in card_sql[1:]:
            cursor.execute(sql, [row[0]])
            cursor.fetchall()
        cursor.close()

    for phone in typed[:100]:
        product_pop(phone)
    times = _time(product_pop, typed)
    ceiling = _time(ceiling_pop, numbers)
    figures.update(summary("pop", times, ceiling))
    figures["search_requests"] = len(queries)
    figures["pop_requests"] = len(typed)
    return figures


def _time(call: Any, items: list[Any]) -> list[float]:
    out = []
    for item in items:
        t0 = time.perf_counter()
        call(item)
        out.append((time.perf_counter() - t0) * 1000)
    return out
