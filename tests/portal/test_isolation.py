"""Isolation (issue 7, item 3): every portal route, with ids that are not the customer's.

Routes are enumerated from the URL resolver, so a route added later is walked too (or
fails here until it says how to be walked). Each request is made signed in as Marie with
Jean's ids, random UUIDs and sequential-looking numbers: every one answers 404 (or 405
for a method the route does not take), and the whole database is unchanged after each.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from .conftest import World, signed_in_client

# Routes without an id in the path read only the signed-in customer's own rows; their
# write forms refuse any field they do not show (tested in test_pages).
NO_ID = {
    "",
    "portal.css",
    "sign-in/",
    "sign-in/code/",
    "sign-in/link/",
    "sign-out/",
    "sign-out-everywhere/",
    "language/",
    "about-me/",
    "preferences/",
    "requests/",
    "requests/new/",
    "agreements/",
    "messages/",
    "who-looked/",
    "download/",
}
# The link's Continue page looks nothing up and changes nothing, for any token.
NOT_SCOPED = {"sign-in/link/<str:token>"}
PAYLOAD = {"note": "It is H2X 1Y4", "text": "<script>alert(1)</script> hello"}


def portal_routes() -> list[str]:
    routes: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                routes.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    return [r.removeprefix("portal/") for r in routes if r.startswith("portal/")]


def snapshot() -> str:
    digest = hashlib.sha256()
    for model in apps.get_models():
        rows = model._default_manager.order_by("pk").values_list()
        digest.update(f"{model._meta.label}:{list(rows)!r}".encode())
    return digest.hexdigest()


def neutral(response: Any, value: str) -> bytes:
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
    return body.replace(value.encode(), b"<id>")


def ids_for(route: str, world: World) -> list[str]:
    if "<str:fact_id>" in route:
        theirs = [str(world.jean_fact.public_id)]
    elif "<str:case_id>" in route:
        theirs = [str(world.jean_case.public_id)]
    else:
        raise AssertionError(f"{route}: new id parameter, say how the isolation test fills it")
    return [*theirs, str(uuid.uuid4()), str(world.jean_case.pk), "not-an-id"]


def test_every_portal_route_is_walked(world: World):
    routes = portal_routes()
    assert "requests/<str:case_id>/" in routes
    unknown = [r for r in routes if "<" not in r and r not in NO_ID]
    assert not unknown, f"new portal routes without an isolation rule: {unknown}"


def test_other_customers_ids_answer_404_and_change_nothing(world: World):
    client: Client = signed_in_client(world.marie)
    walked = 0
    bodies: dict[tuple[str, str], set[bytes]] = {}
    for route in portal_routes():
        if "<" not in route or route in NOT_SCOPED:
            continue
        name = route.split("<")[1].split(">")[0]
        for value in ids_for(route, world):
            path = "/portal/" + route.replace(f"<{name}>", value)
            for method in ("get", "post"):
                before = snapshot()
                response = getattr(client, method)(path, PAYLOAD if method == "post" else None)
                assert response.status_code in (404, 405), (method, path, response.status_code)
                assert snapshot() == before, (method, path)
                if response.status_code == 404:
                    walked += 1
                    bodies.setdefault((route, method), set()).add(neutral(response, value))
    assert walked >= 4 * 4
    # Jean's id, a random one and a malformed one get the very same answer.
    assert all(len(b) == 1 for b in bodies.values()), bodies.keys()
    # The same pages answer for Marie's own ids (the 404s above are not a broken route).
    own = client.get(f"/portal/requests/{world.marie_case.public_id}/")
    assert own.status_code == 200


def test_signed_out_visitors_reach_nothing(world: World):
    client = Client()
    for route in portal_routes():
        if route in NO_ID and route not in {"", "about-me/", "requests/", "download/"}:
            continue
        if route in NOT_SCOPED:
            continue
        path = "/portal/" + route.replace("<str:case_id>", str(world.marie_case.public_id))
        path = path.replace("<str:fact_id>", str(world.jean_fact.public_id))
        before = snapshot()
        response = client.post(path, PAYLOAD)
        assert response.status_code in (302, 405), path
        if response.status_code == 302:
            assert response["Location"].startswith("/portal/sign-in/")
        assert snapshot() == before
