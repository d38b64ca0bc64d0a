"""Identifier normalisation: one stored form per phone number or address."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from courtier.core.errors import Invalid
from courtier.customers.normalize import normalize, normalize_email


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+1 514-555-0199", "+15145550199"),
        ("(514) 555 0199", "+15145550199"),
        ("514.555.0199", "+15145550199"),
        ("1-514/555-0199", "+15145550199"),
        ("+33 1 42 68 53 00", "+33142685300"),
        ("tel:+1-438-555-0142", "+14385550142"),
    ],
)
def test_phones_become_e164(typed: str, stored: str):
    assert normalize("phone", typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("", "is empty"), ("12", "phone"), ("0000000000", "valid"), ("abc", "phone")],
)
def test_bad_phones_are_refused_with_a_reason(typed: str, reason: str):
    with pytest.raises(Invalid) as info:
        normalize("phone", typed)
    assert reason in info.value.errors[0].message
    assert info.value.errors[0].field == "phone"


def test_emails_lower_case_and_idna_domain():
    assert normalize("email", " Jean.Dupont@Example.COM ") == "jean.dupont@example.com"
    assert normalize("email", "Élodie@Exämple.ca") == "élodie@xn--exmple-cua.ca"
    for bad in ["test@test", "no-at-sign", "a@b", "x@localhost", "a..b@example.com"]:
        with pytest.raises(Invalid):
            normalize("email", bad)


def test_handles_and_accounts():
    assert normalize("handle", "@MarieT") == "mariet"
    assert normalize("account", " a-1001 ") == "A-1001"
    with pytest.raises(Invalid, match="account"):
        normalize("account", "A 1001; DROP TABLE")
    with pytest.raises(Invalid, match="longer than"):
        normalize("account", "A" * 400)


_atoms = st.text(alphabet="abcXYZ019._%+-", min_size=1, max_size=12)


@settings(max_examples=400, deadline=None)
@given(local=_atoms, label=_atoms, tld=st.sampled_from(["com", "ca", "FR", "test", "c0m", "x"]))
def test_fast_path_agrees_with_email_validator(local: str, label: str, tld: str):
    address = f"{local}@{label}.{tld}"
    try:
        result = validate_email(address, check_deliverability=False)
        expected: str | None = f"{result.local_part.lower()}@{result.ascii_domain.lower()}"
    except EmailNotValidError:
        expected = None
    try:
        ours: str | None = normalize_email(address)
    except Invalid:
        ours = None
    assert ours == expected
