"""The words of the sign-in link (email) and code (SMS), in English and French.

Shipped with the product rather than stored as rows: signing in must work on a database
that holds no templates at all. Staff may still write their own for these purposes in the
template editor; a saved one takes precedence.
"""

from __future__ import annotations

from courtier.messaging.services.templates import ship_template

WORDS = [
    (
        "portal_link",
        "email",
        "en",
        "Your sign-in link",
        "Here is your link to sign in to your space:\n\n{{ link }}\n\n"
        "It works once, for {{ minutes }} minutes. If you did not ask for it, ignore this email.",
    ),
    (
        "portal_link",
        "email",
        "fr",
        "Votre lien de connexion",
        "Voici votre lien pour vous connecter à votre espace :\n\n{{ link }}\n\n"
        "Il fonctionne une fois, pendant {{ minutes }} minutes. Si vous ne l'avez pas demandé, "
        "ignorez ce courriel.",
    ),
    (
        "portal_code",
        "sms",
        "en",
        "",
        "Your sign-in code: {{ code }} (valid {{ minutes }} min, once).",
    ),
    (
        "portal_code",
        "sms",
        "fr",
        "",
        "Votre code de connexion : {{ code }} (valide {{ minutes }} min, une fois).",
    ),
]


def ship() -> None:
    """Register the sign-in words with messaging (from ``PortalConfig.ready``)."""
    for purpose, channel, language, subject, text in WORDS:
        ship_template(purpose, channel, language, text, subject=subject)
