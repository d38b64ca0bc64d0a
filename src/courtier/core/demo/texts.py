"""What the demo timeline says: plausible contact summaries in the customer's language.

Each channel has a few (direction, English, French) lines; ``{n}`` is an invoice or order
number, ``{m}`` a month name in the summary's language.
"""

from __future__ import annotations

import random

MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}

SUMMARIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "phone": (
        (
            "inbound",
            "Called about invoice {n}: charged twice, refund explained",
            "Appel au sujet de la facture {n} : facturée deux fois, remboursement expliqué",
        ),
        (
            "inbound",
            "Asked to move the installation appointment to next week",
            "Demande de déplacer le rendez-vous d'installation à la semaine prochaine",
        ),
        (
            "outbound",
            "Called back to confirm the repair is done",
            "Rappel pour confirmer que la réparation est faite",
        ),
        (
            "inbound",
            "Question about the {m} statement, walked through each line",
            "Question sur le relevé de {m}, chaque ligne expliquée",
        ),
        (
            "outbound",
            "Renewal call: offered the loyalty rate, customer will think about it",
            "Appel de renouvellement : tarif fidélité proposé, le client va y réfléchir",
        ),
    ),
    "sms": (
        (
            "outbound",
            "Reminder: appointment tomorrow between 9 and 11",
            "Rappel : rendez-vous demain entre 9 h et 11 h",
        ),
        (
            "inbound",
            "Replied YES to confirm the appointment",
            "A répondu OUI pour confirmer le rendez-vous",
        ),
        (
            "outbound",
            "Payment of invoice {n} received, thank you",
            "Paiement de la facture {n} reçu, merci",
        ),
    ),
    "email": (
        ("inbound", "Asked for a copy of invoice {n}", "Demande une copie de la facture {n}"),
        (
            "outbound",
            "Sent the {m} statement and the new price list",
            "Envoi du relevé de {m} et de la nouvelle grille tarifaire",
        ),
        (
            "inbound",
            "Complaint: technician arrived late, asks for a credit",
            "Plainte : technicien arrivé en retard, demande un crédit",
        ),
        (
            "outbound",
            "Confirmed the credit on the next invoice",
            "Confirmation du crédit sur la prochaine facture",
        ),
    ),
    "chat": (
        (
            "inbound",
            "Chat: how to change the payment method",
            "Clavardage : comment changer le mode de paiement",
        ),
        (
            "inbound",
            "Chat: service outage in the area, gave the expected time",
            "Clavardage : panne dans le secteur, heure de rétablissement donnée",
        ),
        (
            "outbound",
            "Chat follow-up: sent the link to the setup guide",
            "Suivi par clavardage : lien vers le guide d'installation envoyé",
        ),
    ),
    "web": (
        (
            "inbound",
            "Web form: request for a quote on the premium plan",
            "Formulaire web : demande de soumission pour le forfait premium",
        ),
        (
            "inbound",
            "Web form: reported a problem with order {n}",
            "Formulaire web : problème signalé avec la commande {n}",
        ),
    ),
    "portal": (
        (
            "inbound",
            "Updated the mailing address in the portal",
            "Adresse postale mise à jour dans le portail",
        ),
        ("inbound", "Downloaded the {m} statement", "Relevé de {m} téléchargé"),
        (
            "inbound",
            "Changed contact preferences: SMS instead of calls",
            "Préférences modifiées : texto plutôt qu'appel",
        ),
    ),
    "branch": (
        (
            "inbound",
            "Visited the branch to sign the renewal",
            "Passage en succursale pour signer le renouvellement",
        ),
        (
            "inbound",
            "Brought the faulty device back, exchanged on the spot",
            "A rapporté l'appareil défectueux, échangé sur place",
        ),
    ),
    "letter": (
        (
            "outbound",
            "Mailed the annual contract summary",
            "Envoi postal du sommaire annuel du contrat",
        ),
        (
            "inbound",
            "Letter received: asks to close the secondary account",
            "Lettre reçue : demande la fermeture du compte secondaire",
        ),
    ),
}
# Where contacts come from when no agent handled them (what record_interaction calls source).
GATEWAYS = {
    "sms": "sms gateway",
    "email": "mail gateway",
    "chat": "chat widget",
    "web": "web form",
    "portal": "portal",
    "letter": "mail room",
}
# Phone and email dominate; letters are rare, as in any small business.
CHANNEL_WEIGHTS = {
    "phone": 30,
    "email": 22,
    "sms": 14,
    "chat": 10,
    "portal": 9,
    "web": 6,
    "branch": 6,
    "letter": 3,
}


def summary(rng: random.Random, channel: str, language: str, month: int) -> tuple[str, str]:
    """Return (direction, summary) for one contact on ``channel`` in ``language``."""
    direction, english, french = rng.choice(SUMMARIES[channel])
    text = french if language == "fr" else english
    lang = "fr" if language == "fr" else "en"
    return direction, text.format(n=rng.randint(20000, 99999), m=MONTHS[lang][month - 1])
