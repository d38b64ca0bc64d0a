"""The house style: one voice around every template's words.

Greeting and sign-off follow the customer's language and register, built on the address
words of ``customers.greeting.greet`` ("Madame Tremblay", "Marie"); then the owner's
signature and, on email, a footer linking to the customer's preferences. SMS text is
mapped to the GSM-7 alphabet wherever a plain equivalent exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.core import signing

from courtier.customers.greeting import greet
from courtier.customers.models import Customer

UNSUBSCRIBE_SALT = "courtier.messaging.unsubscribe"
_OPENERS = {
    ("en", "formal"): "Dear {address},",
    ("en", "informal"): "Hi {address},",
    ("fr", "formal"): "Bonjour {address},",
    ("fr", "informal"): "Bonjour {address},",
}
_SIGN_OFFS = {
    ("en", "formal"): "Kind regards,",
    ("en", "informal"): "All the best,",
    ("fr", "formal"): "Cordialement,",
    ("fr", "informal"): "À bientôt,",
}
_FOOTERS = {
    "en": "To choose how and when we contact you: {url}",
    "fr": "Pour choisir comment et quand nous vous écrivons : {url}",
}


@dataclass(frozen=True)
class Voice:
    """The house-style pieces for one customer in one language."""

    address: str
    greeting: str
    sign_off: str
    signature: str
    footer: str
    preferences_url: str


def voice_for(customer: Customer, language: str) -> Voice:
    """Return the greeting, sign-off, signature and footer for ``customer`` in ``language``."""
    lang = language if (language, "formal") in _OPENERS else "en"
    register = customer.register if customer.register in ("formal", "informal") else "formal"
    words = greet(
        display_name=customer.display_name,
        given_name=customer.given_name,
        family_name=customer.family_name,
        preferred_name=customer.preferred_name,
        salutation=customer.salutation,
        language=lang,
        register=register,
    )
    url = preferences_url()
    return Voice(
        address=words["address"],
        greeting=_OPENERS[(lang, register)].format(address=words["address"]),
        sign_off=_SIGN_OFFS[(lang, register)],
        signature=settings.MESSAGING_SIGNATURE,
        footer=_FOOTERS[lang].format(url=url),
        preferences_url=url,
    )


def preferences_url() -> str:
    """Where a customer changes how we contact them (the portal's preferences page)."""
    return f"{settings.BASE_URL}/portal/preferences"


def unsubscribe_url(customer_public_id: str, category: str) -> str:
    """A signed one-click link that withdraws email consent for one category (RFC 8058)."""
    token = signing.dumps([customer_public_id, category], salt=UNSUBSCRIBE_SALT, compress=True)
    return f"{settings.BASE_URL}/messaging/unsubscribe/{token}"


def compose_email(voice: Voice, text: str, html: str) -> tuple[str, str]:
    """Wrap a template's text and HTML bodies in the house style; return (text, html)."""
    plain = (
        f"{voice.greeting}\n\n{text.strip()}\n\n{voice.sign_off}\n{voice.signature}"
        f"\n\n-- \n{voice.footer}\n"
    )
    url = escape(voice.preferences_url)
    footer_text = escape(voice.footer.replace(voice.preferences_url, "").rstrip(" :"))
    rich = (
        f"<!doctype html><html><body><p>{escape(voice.greeting)}</p>\n{html.strip()}\n"
        f"<p>{escape(voice.sign_off)}<br>{escape(voice.signature)}</p>\n"
        f'<hr><p><small>{footer_text}: <a href="{url}">{url}</a></small></p></body></html>\n'
    )
    return plain, rich


def compose_portal(voice: Voice, text: str) -> str:
    """A portal message: greeting, words, sign-off (the portal itself links to preferences)."""
    return f"{voice.greeting}\n\n{text.strip()}\n\n{voice.sign_off}\n{voice.signature}"


def compose_sms(voice: Voice, text: str) -> str:
    """An SMS: short greeting, words, signature, in GSM-7 wherever possible."""
    return to_gsm7(f"{voice.greeting} {text.strip()}\n{voice.signature}")


def text_to_html(text: str) -> str:
    """Paragraphs of escaped text, for an email template written without HTML."""
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    return "\n".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


# GSM 03.38 basic alphabet and its extension table (each extension character costs two).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€")
# One character outside GSM-7 turns the whole SMS into UCS-2, which halves a segment
# from 160 to 70 characters and so doubles or triples the price of an ordinary text.
# Typographic quotes, dashes, non-breaking spaces and the French accents missing from
# GSM-7 are the usual culprits; each has a plain equivalent a reader will not miss.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2026": "...",
        "\u2022": "-",
        "\t": " ",
        "â": "a",
        "ê": "e",
        "î": "i",
        "ô": "o",
        "û": "u",
        "ë": "e",
        "ï": "i",
        "ÿ": "y",
        "ç": "c",
        "œ": "oe",
        "Œ": "OE",
        "À": "A",
        "Â": "A",
        "È": "E",
        "Ê": "E",
        "Ë": "E",
        "Î": "I",
        "Ï": "I",
        "Ô": "O",
        "Ù": "U",
        "Û": "U",
        "á": "a",
        "í": "i",
        "ó": "o",
        "ú": "u",
    }
)


def to_gsm7(text: str) -> str:
    """Replace characters that would force UCS-2 by their plain GSM-7 equivalents."""
    return text.translate(_PLAIN)


def sms_segments(text: str) -> tuple[str, int]:
    """Return the encoding an SMS needs (gsm7 or ucs2) and how many segments it takes."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        return "gsm7", 1 if units <= 160 else -(-units // 153)
    units = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
    return "ucs2", 1 if units <= 70 else -(-units // 67)
