"""Signing in and out; roles; failed sign-ins limited per username and per address."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from courtier.console.models import SignInFailure

SIGN_IN = "/console/sign-in"


def sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(SIGN_IN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_roles_exist_with_growing_permissions(db: None):
    perms = {
        g.name: {f"{p.content_type.app_label}.{p.codename}" for p in g.permissions.all()}
        for g in Group.objects.prefetch_related("permissions__content_type")
    }
    assert set(perms) >= {"agent", "manager", "admin"}
    assert "console.use_console" in perms["agent"]
    assert "console.settle_conflicts" not in perms["agent"]
    assert perms["agent"] < perms["manager"] < perms["admin"]
    assert "console.settle_conflicts" in perms["manager"]
    assert "customers.delete_customer" in perms["admin"]


def test_an_agent_signs_in_goes_where_they_were_going_and_signs_out(agent: User):
    client = Client()
    page = client.get("/console/search?q=marie")
    assert page.status_code == 302
    assert page["Location"].startswith("/console/sign-in?next=")
    response = client.post(
        page["Location"],
        {"username": "bob", "password": "battery staple 7", "next": "/console/search?q=marie"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/console/search?q=marie"
    assert client.get("/console/search").status_code == 200
    assert client.get("/console/sign-out").status_code == 405  # a link cannot sign anyone out
    assert client.post("/console/sign-out").status_code == 302
    assert client.get("/console/search").status_code == 302


def test_next_cannot_send_anyone_off_site(agent: User):
    response = Client().post(
        SIGN_IN,
        {"username": "bob", "password": "battery staple 7", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/console/"


def test_wrong_password_is_refused_recorded_and_logged(agent: User, caplog):
    with caplog.at_level(logging.WARNING, logger="courtier.console.signin"):
        response = sign_in(Client(), "bob", "wrong")
    assert response.status_code == 401
    assert "Wrong username or password." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    failure = SignInFailure.objects.get()
    assert (failure.username, failure.ip) == ("bob", "10.0.0.1")
    assert "console sign-in failed" in caplog.text
    assert "'bob'" in caplog.text


def test_a_user_without_a_role_cannot_sign_in(outsider: User):
    assert sign_in(Client(), "dan", "quiet river 2").status_code == 401
    client = Client()
    client.force_login(outsider)
    assert client.get("/console/search").status_code == 403


def test_five_failures_lock_the_username_even_for_the_right_password(agent: User, settings):
    for _ in range(settings.CONSOLE_SIGNIN_MAX_PER_USER):
        assert sign_in(Client(), "bob", "wrong", ip="10.0.0.2").status_code == 401
    locked = sign_in(Client(), "bob", "battery staple 7", ip="10.0.0.3")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert SignInFailure.objects.count() == settings.CONSOLE_SIGNIN_MAX_PER_USER


def test_an_address_trying_many_usernames_is_locked(agent: User, settings):
    settings.CONSOLE_SIGNIN_MAX_PER_IP = 3
    for n in range(3):
        assert sign_in(Client(), f"guess{n}", "wrong", ip="10.9.9.9").status_code == 401
    assert sign_in(Client(), "bob", "battery staple 7", ip="10.9.9.9").status_code == 429
    assert sign_in(Client(), "bob", "battery staple 7", ip="10.0.0.4").status_code == 302


def test_failures_expire_after_the_window_and_success_clears_them(agent: User, settings):
    settings.CONSOLE_SIGNIN_WINDOW_MINUTES = 0
    for _ in range(6):
        sign_in(Client(), "bob", "wrong")
    assert sign_in(Client(), "bob", "battery staple 7").status_code == 302
    assert not SignInFailure.objects.filter(username="bob").exists()


@pytest.mark.parametrize(
    ("username", "password", "field"), [("", "x", "username"), ("bob", "", "password")]
)
def test_empty_fields_are_named(agent: User, username: str, password: str, field: str):
    response = sign_in(Client(), username, password)
    assert response.status_code == 401
    assert f"{field}: is empty" in response.content.decode()


def test_console_permissions_come_from_groups_and_direct_grants(agent: User, manager: User):
    from django.contrib.auth.models import Permission

    from courtier.console.services.roles import console_permissions

    assert console_permissions(agent) == {"use_console"}
    assert console_permissions(manager) == {"use_console", "settle_conflicts"}
    agent.user_permissions.add(Permission.objects.get(codename="settle_conflicts"))
    assert console_permissions(agent) == {"use_console", "settle_conflicts"}
    agent.is_active = False
    assert console_permissions(agent) == frozenset()


def test_an_htmx_request_without_a_session_is_sent_to_sign_in_as_a_whole_page(db: None):
    response = Client().get("/console/search", {"q": "marie"}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/console/sign-in?next=")
