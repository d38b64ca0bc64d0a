"""The rules Courtier ships with, and the words (en, fr) their messages use.

Installed by ``courtier rules install-starters``: idempotent (a starter is found by its
slug, a template by purpose, channel and language), and never overwrites what staff have
changed since. Installed rules start disabled: staff preview them, then enable them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from courtier.core.actor import Actor
from courtier.journeys.models import Rule
from courtier.journeys.services.rules import save_rule
from courtier.messaging.models import Template
from courtier.messaging.services.templates import save_template

STARTERS: list[dict[str, Any]] = [
    {
        "starter": "renewal-notice",
        "name": "Renewal notice, 30 days ahead",
        "description": "Tell the customer 30 days before an agreement's effective renewal.",
        "trigger": "date.agreement_renewal",
        "days": 30,
        "actions": [{"type": "send", "purpose": "renewal_notice"}],
    },
    {
        "starter": "promise-kept",
        "name": "Promise kept",
        "description": "Tell the customer when a promise made to them is kept.",
        "trigger": "promise.kept",
        "actions": [{"type": "send", "purpose": "promise_kept"}],
    },
    {
        "starter": "satisfaction-survey",
        "name": "Satisfaction survey, a day after resolution",
        "description": "Ask how it went one day after a request is resolved.",
        "trigger": "date.case_resolved",
        "days": 1,
        "actions": [{"type": "send", "purpose": "satisfaction_survey"}],
    },
    {
        "starter": "waiting-past-sla",
        "name": "Request waiting past its SLA",
        "description": "Tell the customer, and the owner, when a request waits on us too long.",
        "trigger": "date.sla_overdue",
        "actions": [
            {"type": "send", "purpose": "case_waiting"},
            {"type": "task", "subject": "Request past its SLA"},
        ],
    },
    {
        "starter": "welcome",
        "name": "Welcome a new customer",
        "description": "Welcome every new customer.",
        "trigger": "customer.created",
        "actions": [{"type": "send", "purpose": "welcome"}],
    },
]

# purpose -> category, then per language (subject, text). Greeting and signature come
# from the house style; these are only the middle of each message.
WORDS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "welcome": (
        "service",
        {
            "en": ("Welcome", "Welcome! We are glad to count you among our customers."),
            "fr": ("Bienvenue", "Bienvenue ! Nous sommes heureux de vous compter parmi nous."),
        },
    ),
    "promise_kept": (
        "service",
        {
            "en": ("Done as promised", "What we promised you is done: {{ event.text }}"),
            "fr": ("Promesse tenue", "Ce que nous vous avions promis est fait : {{ event.text }}"),
        },
    ),
    "renewal_notice": (
        "proactive",
        {
            "en": (
                "Your {{ agreement.product }} renews soon",
                "Your {{ agreement.product }} renews on {{ agreement.date }}. "
                "Reply if you would like to change anything before then.",
            ),
            "fr": (
                "Votre {{ agreement.product }} se renouvelle bientôt",
                "Votre {{ agreement.product }} se renouvelle le {{ agreement.date }}. "
                "Répondez-nous si vous souhaitez changer quelque chose d'ici là.",
            ),
        },
    ),
    "satisfaction_survey": (
        "proactive",
        {
            "en": (
                "How did we do?",
                "Your request “{{ case.subject }}” was resolved. How did we do? "
                "A one-line reply is enough.",
            ),
            "fr": (
                "Comment cela s'est-il passé ?",
                "Votre demande « {{ case.subject }} » est résolue. Qu'en avez-vous pensé ? "
                "Une ligne suffit.",
            ),
        },
    ),
    "case_waiting": (
        "service",
        {
            "en": (
                "Your request is taking longer than it should",
                "Your request “{{ case.subject }}” is taking longer than we promised. "
                "It has not been forgotten: its owner has been told.",
            ),
            "fr": (
                "Votre demande prend plus de temps que prévu",
                "Votre demande « {{ case.subject }} » prend plus de temps que promis. "
                "Elle n'est pas oubliée : la personne responsable est prévenue.",
            ),
        },
    ),
}
CHANNELS = ("email", "sms", "portal")


@transaction.atomic
def install_starters(actor: Actor) -> tuple[int, int]:
    """Create the missing starter templates and rules; return (templates, rules) created."""
    made_templates = 0
    for purpose, (category, languages) in WORDS.items():
        for language, (subject, text) in languages.items():
            for channel in CHANNELS:
                if Template.objects.filter(
                    purpose=purpose, channel=channel, language=language
                ).exists():
                    continue
                save_template(
                    actor,
                    {
                        "purpose": purpose,
                        "category": category,
                        "channel": channel,
                        "language": language,
                        "subject": subject if channel == "email" else "",
                        "text": text,
                    },
                )
                made_templates += 1
    made_rules = 0
    for starter in STARTERS:
        if Rule.objects.filter(starter=starter["starter"]).exists():
            continue
        data = {k: v for k, v in starter.items() if k != "starter"}
        rule = save_rule(actor, data)
        Rule.objects.filter(pk=rule.pk).update(starter=starter["starter"])
        made_rules += 1
    return made_templates, made_rules
