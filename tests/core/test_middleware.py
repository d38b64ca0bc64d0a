"""Token API calls skip the browser-only middleware; the CSP header is built once."""

from __future__ import annotations

from csp.utils import build_policy
from django.contrib.auth.models import User
from django.test import Client, override_settings

from courtier.customers.models import Customer
from tests.conftest import ApiClient


def test_a_token_call_gets_no_session_language_or_csrf_handling(api: ApiClient, marie: Customer):
    response = api.get("/recognize", phone="514 555 0199")
    assert response.status_code == 200
    # LocaleMiddleware would add these; SessionMiddleware would vary on the cookie.
    assert "Content-Language" not in response
    assert "Vary" not in response
    assert "csrftoken" not in response.cookies
    # The security headers that matter for any response are still there.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == build_policy()


def test_a_wrong_token_is_a_401_not_a_crash(marie: Customer):
    response = Client(HTTP_AUTHORIZATION="Bearer ctr_not-a-real-token").get(
        "/api/v1/recognize", {"phone": "514 555 0199"}
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_session_call_to_the_api_still_goes_through_sessions(bob: User, marie: Customer):
    client = Client()
    client.force_login(bob)
    response = client.get("/api/v1/recognize", {"phone": "514 555 0199"})
    assert response.status_code == 200
    assert "Cookie" in response["Vary"]


def test_a_session_post_to_the_api_still_needs_its_csrf_token(bob: User):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    response = client.post(
        "/api/v1/customers", {"given_name": "Zoé"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_token_sent_with_a_session_cookie_keeps_the_browser_middleware(
    bob: User, api: ApiClient, marie: Customer
):
    api.client.force_login(bob)
    response = api.get("/recognize", phone="514 555 0199")
    assert response.status_code == 200
    assert "Accept-Language" in response["Vary"]


def test_console_pages_keep_sessions_csrf_and_languages(db: None):
    response = Client().get("/console/sign-in", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert "csrftoken" in response.cookies


def test_a_changed_policy_setting_changes_the_cached_header(api: ApiClient, marie: Customer):
    before = api.get("/recognize", phone="514 555 0199")["Content-Security-Policy"]
    policy = {"DIRECTIVES": {"default-src": ["'none'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        during = api.get("/recognize", phone="514 555 0199")["Content-Security-Policy"]
    after = api.get("/recognize", phone="514 555 0199")["Content-Security-Policy"]
    assert during == "default-src 'none'"
    assert before == after != during


def test_a_report_only_policy_is_sent_when_configured(api: ApiClient, marie: Customer):
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": ["/csp-report"]}}
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=policy):
        response = api.get("/recognize", phone="514 555 0199")
    assert "report-uri /csp-report" in response["Content-Security-Policy-Report-Only"]
