"""Templates: sandboxed, checked on save with the line, previewed for a real customer."""

from __future__ import annotations

import pytest

from courtier.core.actor import Actor
from courtier.core.errors import Conflict, Invalid
from courtier.customers.models import Customer
from courtier.messaging.models import Template
from courtier.messaging.services.style import sms_segments, to_gsm7
from courtier.messaging.services.templates import preview, save_template

BASE = {"purpose": "case_update", "channel": "email", "language": "en", "subject": "Update"}


def _refusal(system: Actor, **fields: str) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        save_template(system, {**BASE, **fields})
    return {e.field: e.message for e in refused.value.errors}


def test_syntax_error_is_refused_with_its_line(db: None, system: Actor):
    errors = _refusal(system, text="Hello\n\n{{ customer.address }\nbye")
    assert errors["text"].startswith("line 3:")
    errors = _refusal(system, text="Hello\n{% if case %}\nopen")
    assert "endif" in errors["text"]
    assert not Template.objects.exists()


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("ok\n{{ ''.__class__.__mro__[1].__subclasses__() }}", 2),
        ("{{ customer['__class__'] }}", 1),
        ("a\nb\n{{ customer|attr('__dict__') }}", 3),
        ("{{ cycler.__init__.__globals__ }}", 1),
    ],
)
def test_sandbox_escapes_are_refused_with_their_line(
    db: None, system: Actor, source: str, line: int
):
    errors = _refusal(system, text=source)
    assert errors["text"].startswith(f"line {line}:")
    assert "not allowed" in errors["text"]


def test_runtime_sandbox_refusal_is_caught_on_save(db: None, system: Actor):
    # No underscore in sight, but calling str.format on a template string is unsafe.
    errors = _refusal(system, text="x\n{{ '{0.__class__}'.format(customer) }}")
    assert errors["text"].startswith("line 2:")


def test_templates_see_no_settings_or_orm(marie: Customer, system: Actor):
    save_template(system, {**BASE, "text": "[{{ settings }}][{{ customer.pk }}][{{ config }}]"})
    out = preview(marie, purpose="case_update", channel="email", language="en")
    assert "[][][]" in out.text


def test_each_field_is_named_and_a_channel_shape_is_enforced(db: None, system: Actor):
    errors = _refusal(system, channel="sms", subject="nope", text="")
    assert set(errors) == {"subject", "text"}
    errors = _refusal(system, purpose="Bad Purpose!", language="de", subject="", text="x")
    assert set(errors) == {"purpose", "language", "subject", "category"}
    errors = _refusal(system, purpose="spring_sale", category="", text="x")
    assert set(errors) == {"category"}


def test_one_template_per_purpose_channel_language(db: None, system: Actor):
    save_template(system, {**BASE, "text": "one"})
    with pytest.raises(Conflict):
        save_template(system, {**BASE, "text": "two"})


def test_preview_for_marie_in_french_with_house_style(marie: Customer, welcome: list[Template]):
    out = preview(marie, purpose="welcome", channel="email", context={"account": "A-1001"})
    assert out.language == "fr"
    assert out.language_fallback is False
    assert out.subject == "Bienvenue, Madame Tremblay"
    assert out.text.startswith("Bonjour Madame Tremblay,\n\nVotre compte A-1001 est prêt.")
    assert "Cordialement,\nThe Courtier team" in out.text
    assert "http://localhost:8000/portal/preferences" in out.text
    assert "<b>A-1001</b>" in out.html
    assert "<p>Bonjour Madame Tremblay,</p>" in out.html


def test_missing_translation_falls_back_and_is_flagged(marie: Customer, welcome: list[Template]):
    out = preview(marie, purpose="welcome", channel="portal", context={"account": "A-1001"})
    assert out.language_fallback is True
    assert out.language == "en"
    assert out.text.startswith("Dear Ms Tremblay,")  # the English words, the English greeting
    assert "Your account A-1001 is ready." in out.text


def test_english_registers(db: None, system: Actor, welcome: list[Template]):
    from courtier.customers.services.records import create_customer

    formal = create_customer(
        system, {"given_name": "Ann", "family_name": "Lee", "salutation": "ms", "language": "en"}
    )
    casual = create_customer(
        system, {"given_name": "Tom", "family_name": "Ray", "register": "informal"}
    )
    ctx = {"account": "1"}
    assert preview(formal, purpose="welcome", channel="email", context=ctx).text.startswith(
        "Dear Ms Lee,"
    )
    assert preview(casual, purpose="welcome", channel="email", context=ctx).text.startswith(
        "Hi Tom,"
    )


def test_customer_text_is_escaped_in_html(db: None, system: Actor, welcome: list[Template]):
    from courtier.customers.services.records import create_customer

    mallory = create_customer(system, {"display_name": "<script>x</script>", "language": "en"})
    out = preview(mallory, purpose="welcome", channel="email", context={"account": "<i>"})
    assert "<script>" not in out.html
    assert "&lt;i&gt;" in out.html


def test_preview_of_unsaved_words_checks_them_first(marie: Customer):
    with pytest.raises(Invalid, match="line 1"):
        preview(marie, purpose="x", channel="sms", sources=("", "{{ oops", ""))
    out = preview(marie, purpose="x", channel="sms", sources=("", "Hello {{ nope }}", ""))
    assert "Hello" in out.text


def test_sms_avoids_ucs2_where_a_plain_equivalent_exists(marie: Customer, system: Actor):
    save_template(
        system,
        {
            "purpose": "case_update",
            "channel": "sms",
            "language": "fr",
            "text": "Votre demande \u00ab\u00a0fenêtre\u00a0\u00bb est réglée "
            "\u2013 c\u2019est fait\u2026",
        },
    )
    out = preview(marie, purpose="case_update", channel="sms")
    assert sms_segments(out.text) == ("gsm7", 1)
    assert 'Votre demande " fenetre " est réglée - c\'est fait...' in out.text


def test_gsm7_keeps_what_it_can_and_reports_ucs2_otherwise():
    assert to_gsm7("é è à ù ç") == "é è à ù c"
    assert sms_segments("a" * 160) == ("gsm7", 1)
    assert sms_segments("a" * 161) == ("gsm7", 2)
    assert sms_segments("\u4f60\u597d" * 36) == ("ucs2", 2)
