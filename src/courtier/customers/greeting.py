"""How to address a customer: by preferred name and register, in their language.

``vous`` / formal: title and family name ("Bonjour Madame Tremblay", "Hello Ms Tremblay");
without a title, the full name. ``tu`` / informal: the preferred or given name
("Bonjour Marie", "Hi Marie"). The messaging house style builds on these two words.
"""

from __future__ import annotations

from typing import TypedDict

_TITLES = {
    "en": {"ms": "Ms", "mr": "Mr", "mx": "Mx", "dr": "Dr"},
    "fr": {"ms": "Madame", "mr": "Monsieur", "mx": "", "dr": "Docteur"},
}
_HELLO = {
    ("en", "formal"): "Hello",
    ("en", "informal"): "Hi",
    ("fr", "formal"): "Bonjour",
    ("fr", "informal"): "Bonjour",
}


class Greeting(TypedDict):
    """The words to address a customer with, and the full spoken greeting."""

    address: str
    greeting: str


def greet(
    *,
    display_name: str,
    given_name: str,
    family_name: str,
    preferred_name: str,
    salutation: str,
    language: str,
    register: str,
) -> Greeting:
    """Return how to address this customer and how to say hello to them."""
    lang = language if language in _TITLES else "en"
    if register == "informal":
        address = preferred_name or given_name or display_name
    else:
        title = _TITLES[lang].get(salutation, "")
        address = f"{title} {family_name}" if title and family_name else display_name
    hello = _HELLO.get((lang, register), _HELLO[(lang, "formal")])
    return {"address": address, "greeting": f"{hello} {address}"}
