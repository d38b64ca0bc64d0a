"""The fast paths under recognition give exactly what the slow, general paths give."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from courtier.core.actor import Actor
from courtier.core.errors import Invalid
from courtier.customers.card import sections as card_sections
from courtier.customers.models import Customer
from courtier.customers.normalize import _nanp, _phone, normalize_phone
from courtier.customers.services.recognition import recognize
from courtier.interactions.services import record_interaction

STYLES = ["{a}{e}{l}", "+1 {a}-{e}-{l}", "({a}) {e} {l}", "{a}.{e}.{l}", "1-{a}/{e}-{l}"]


@settings(max_examples=300, deadline=None)
@given(
    area=st.integers(200, 999),
    exchange=st.integers(0, 999),
    line=st.integers(0, 9999),
    style=st.sampled_from(STYLES),
)
def test_plain_north_american_numbers_read_as_phonenumbers_reads_them(area, exchange, line, style):
    typed = style.format(a=area, e=f"{exchange:03d}", l=f"{line:04d}")
    try:
        expected: str | None = _phone.__wrapped__(typed, "CA", "phone")
    except Invalid:
        expected = None
    fast = _nanp(typed, "CA")
    # The fast path may decline (None) but never disagrees with the full parser.
    assert fast is None or fast == expected
    if expected is not None:
        assert normalize_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("514 555 0199 ext 12", "an extension"),
        ("+33 1 23 45 67 89", "another country"),
        ("212 555 0199", "a US number, not valid in CA's own metadata"),
        ("1-800-FLOWERS", "letters"),
    ],
)
def test_anything_unusual_takes_the_full_path(typed: str, why: str):
    assert _nanp(typed, "CA") is None, why


def test_a_number_refused_says_why_as_before():
    with pytest.raises(Invalid) as info:
        normalize_phone("514 555 019")
    assert info.value.errors[0].field == "phone"
    assert "possible" in info.value.errors[0].message


def test_driver_path_and_django_path_build_the_same_card(marie: Customer, system: Actor):
    for n in range(3):
        record_interaction(system, marie, channel="sms", direction="inbound", summary=f"m{n}")
    fast = recognize(system, "phone", "514 555 0199")
    # Capturing queries makes every hot query go through Django's cursor instead.
    with CaptureQueriesContext(connection) as captured:
        slow = recognize(system, "phone", "514 555 0199")
    # lookup, identifiers, facts, every registered card section, access-log insert
    assert len(captured.captured_queries) == 4 + len(card_sections())
    assert fast == slow
    assert fast["interactions"][0]["occurred_at"].endswith("+00:00")
    assert fast["profile"][0]["observed_at"].endswith("+00:00")
