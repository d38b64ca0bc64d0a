"""Signing in without a password: links, codes, limits, sessions (issue 7, item 1)."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from courtier.customers.models import Customer
from courtier.messaging.models import Message
from courtier.portal.models import PortalSession, SignInRequest, SignInToken
from courtier.portal.services import signin
from courtier.portal.services.sessions import COOKIE

from .conftest import last_code, last_link


def ask(client: Client, identifier: str):
    return client.post("/portal/sign-in/", {"identifier": identifier})


def follow_link(client: Client, link: str, next_: str = ""):
    path = urlsplit(link).path
    token = path.rsplit("/", 1)[1]
    data = {"token": token}
    if next_:
        data["next"] = next_
    return client.post("/portal/sign-in/link/", data)


def test_link_by_email_signs_in_once(verified_marie: Customer):
    client = Client()
    response = ask(client, "marie.tremblay@example.com")
    assert response.status_code == 200
    message = Message.objects.get(customer=verified_marie, purpose="portal_link")
    assert message.state == "queued"
    assert message.channel == "email"
    assert message.to_address == "marie.tremblay@example.com"
    link = last_link(verified_marie)
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 bytes of secrets.token_urlsafe: 256 bits
    assert token.encode() not in response.content
    stored = SignInToken.objects.get(customer=verified_marie)
    assert token not in stored.digest
    assert stored.digest != token
    # The link page shows Continue and spends nothing, for GET and HEAD alike.
    for method in (client.get, client.head):
        page = method(urlsplit(link).path)
        assert page.status_code == 200
    assert SignInToken.objects.get(pk=stored.pk).used_at is None
    assert COOKIE not in client.cookies
    done = follow_link(client, link)
    assert done.status_code == 302
    assert done["Location"] == "/portal/"
    cookie = done.cookies[COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/portal/"
    home = client.get("/portal/")
    assert home.status_code == 200
    assert "Bonjour Madame Tremblay" in home.content.decode()
    # Used: a second post of the same link is refused and signs nobody in.
    again = follow_link(Client(), link)
    assert again.status_code == 400
    assert COOKIE not in again.cookies


def test_link_is_built_from_base_url_not_host(verified_marie: Customer, settings):
    settings.BASE_URL = "https://portal.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    Client().post(
        "/portal/sign-in/", {"identifier": "marie.tremblay@example.com"}, HTTP_HOST="evil.test"
    )
    message = Message.objects.get(customer=verified_marie, purpose="portal_link")
    assert "https://portal.example.org/portal/sign-in/link/" in message.text
    assert "evil.test" not in message.text


def test_expired_forged_and_replaced_links_are_refused(verified_marie: Customer):
    client = Client()
    ask(client, "marie.tremblay@example.com")
    first = last_link(verified_marie)
    ask(client, "MARIE.TREMBLAY@example.com")
    second = last_link(verified_marie)
    assert first != second
    assert follow_link(Client(), first).status_code == 400  # replaced by a newer one
    forged = second[:-4] + ("AAAA" if not second.endswith("AAAA") else "BBBB")
    assert follow_link(Client(), forged).status_code == 400
    SignInToken.objects.filter(used_at=None, revoked_at=None).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = follow_link(Client(), second)
    assert response.status_code == 400
    assert "no longer valid" in response.content.decode()
    assert PortalSession.objects.count() == 0


def test_another_customers_link_signs_in_as_them_only(verified_marie, verified_jean):
    client = Client()
    ask(client, "marie.tremblay@example.com")
    follow_link(client, last_link(verified_marie))
    assert PortalSession.objects.get().customer == verified_marie


def test_answer_is_the_same_whether_or_not_the_identifier_exists(verified_marie: Customer):
    known = ask(Client(), "marie.tremblay@example.com")
    unknown = ask(Client(), "nobody.here@example.com")
    assert known.status_code == unknown.status_code == 200

    def body(r: Any) -> bytes:
        # The CSRF token differs per response by design; everything else must match.
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", r.content)

    assert body(known) == body(unknown)
    # Unverified identifiers get nothing either.
    verified_marie.identifiers.update(verified_at=None)
    ask(Client(), "marie.tremblay@example.com")
    assert Message.objects.filter(purpose="portal_link").count() == 1


@pytest.mark.slow
def test_timing_does_not_tell_whether_the_identifier_exists(verified_marie: Customer, settings):
    settings.DEBUG = False

    def timed(identifier: str, i: int) -> float:
        SignInRequest.objects.all().delete()
        start = time.perf_counter()
        Client(REMOTE_ADDR=f"10.0.0.{i}").post("/portal/sign-in/", {"identifier": identifier})
        return time.perf_counter() - start

    # Alternated, so a busy moment of the machine falls on both sides alike.
    known, unknown = [], []
    for i in range(6):
        known.append(timed("marie.tremblay@example.com", 2 * i))
        unknown.append(timed("nobody@example.com", 2 * i + 1))
    k, u = statistics.median(known), statistics.median(unknown)
    print(f"median known {k * 1000:.1f} ms, unknown {u * 1000:.1f} ms")
    # Both sit on the response floor; only a gross difference (a missing floor) fails.
    assert k >= signin.RESPONSE_FLOOR
    assert u >= signin.RESPONSE_FLOOR
    assert abs(k - u) < 0.1


def test_fifty_requests_in_a_minute_are_limited(verified_marie: Customer):
    variants = [
        "marie.tremblay@example.com",
        "Marie.Tremblay@EXAMPLE.com",
        "marie.tremblay+portal@example.com",
        "MARIE.TREMBLAY+x@example.com",
    ]
    statuses = []
    for i in range(50):
        response = Client(REMOTE_ADDR="192.0.2.7").post(
            "/portal/sign-in/",
            {"identifier": variants[i % len(variants)]},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
        statuses.append(response.status_code)
    assert statuses.count(200) == signin.PER_IDENTIFIER
    assert statuses.count(429) == 50 - signin.PER_IDENTIFIER
    assert Message.objects.filter(purpose="portal_link").count() <= signin.PER_IDENTIFIER
    assert SignInRequest.objects.count() == signin.PER_IDENTIFIER


def test_per_ip_limit_counts_every_address(db):
    for i in range(signin.PER_IP):
        assert ask(Client(REMOTE_ADDR="198.51.100.1"), f"x{i}@example.com").status_code == 200
    assert ask(Client(REMOTE_ADDR="198.51.100.1"), "y@example.com").status_code == 429
    assert ask(Client(REMOTE_ADDR="198.51.100.2"), "y@example.com").status_code == 200


def test_code_by_sms_and_its_lock_after_five_wrong_tries(verified_marie: Customer):
    client = Client()
    response = ask(client, "514 555 0199")
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    message = Message.objects.get(customer=verified_marie, purpose="portal_code")
    assert message.channel == "sms"
    assert message.to_address == "+15145550199"
    code = last_code(verified_marie)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        r = client.post("/portal/sign-in/code/", {"identifier": "+15145550199", "code": wrong})
        assert r.status_code == 400
    # Locked: even the right code no longer works.
    r = client.post("/portal/sign-in/code/", {"identifier": "+15145550199", "code": code})
    assert r.status_code == 400
    assert PortalSession.objects.count() == 0
    ask(client, "514-555-0199")
    good = client.post(
        "/portal/sign-in/code/", {"identifier": "+15145550199", "code": last_code(verified_marie)}
    )
    assert good.status_code == 302
    assert client.get("/portal/").status_code == 200


def test_next_goes_only_to_portal_paths(verified_marie: Customer):
    for target, expected in [
        ("https://elsewhere.example/", "/portal/"),
        ("//elsewhere.example/portal/", "/portal/"),
        ("/admin/", "/portal/"),
        ("/portal/requests/", "/portal/requests/"),
    ]:
        client = Client()
        ask(client, "marie.tremblay@example.com")
        response = follow_link(client, last_link(verified_marie), target)
        assert response["Location"] == expected, target
        SignInRequest.objects.all().delete()


def test_csrf_less_posts_are_refused(verified_marie: Customer):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/portal/sign-in/", {"identifier": "marie.tremblay@example.com"})
    assert response.status_code == 403
    assert Message.objects.count() == 0
    assert SignInRequest.objects.count() == 0


def test_session_rotates_and_sign_out_everywhere(verified_marie: Customer):
    phone, laptop = Client(), Client()
    for c in (phone, laptop):
        ask(c, "marie.tremblay@example.com")
        c.cookies[COOKIE] = "planted-by-an-attacker"
        follow_link(c, last_link(verified_marie))
        assert c.cookies[COOKIE].value != "planted-by-an-attacker"
        SignInRequest.objects.all().delete()
    assert phone.get("/portal/").status_code == 200
    assert laptop.post("/portal/sign-out-everywhere/").status_code == 302
    assert phone.get("/portal/").status_code == 302  # back to sign-in
    assert laptop.get("/portal/").status_code == 302


def test_sessions_expire(marie_client: Client):
    assert marie_client.get("/portal/").status_code == 200
    PortalSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = marie_client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/sign-in/")


def test_portal_and_console_sessions_do_not_mix(marie_client: Client, alice):
    assert marie_client.get("/console/messaging/templates/").status_code == 302
    staff = Client()
    staff.force_login(alice)
    assert staff.get("/portal/").status_code == 302


def test_inactive_customer_cannot_sign_in(verified_marie: Customer):
    Customer.objects.filter(pk=verified_marie.pk).update(status="inactive")
    ask(Client(), "marie.tremblay@example.com")
    assert Message.objects.count() == 0


def test_sign_in_words_are_shipped_and_a_saved_template_overrides_them(
    verified_marie: Customer, system: Any
):
    from courtier.messaging.models import Template
    from courtier.messaging.services.templates import save_template

    assert not Template.objects.exists()  # nothing stored, yet the link goes out in French
    ask(Client(), "marie.tremblay@example.com")
    shipped = Message.objects.get(customer=verified_marie, purpose="portal_link")
    assert shipped.subject == "Votre lien de connexion"
    assert "Il fonctionne une fois, pendant 10 minutes." in shipped.text
    save_template(
        system,
        {
            "purpose": "portal_link",
            "channel": "email",
            "language": "fr",
            "subject": "Votre accès",
            "text": "Cliquez ici : {{ link }}",
        },
    )
    ask(Client(), "marie.tremblay@example.com")
    saved = Message.objects.filter(customer=verified_marie, purpose="portal_link").latest("id")
    assert saved.subject == "Votre accès"
    assert "Cliquez ici : http" in saved.text
