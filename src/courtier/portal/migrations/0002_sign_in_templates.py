"""The words of the sign-in link (email) and code (SMS), in English and French."""

from typing import Any

from django.db import migrations

WORDS = [
    ("portal_link", "email", "en", "Your sign-in link",
     "Here is your link to sign in to your space:\n\n{{ link }}\n\n"
     "It works once, for {{ minutes }} minutes. If you did not ask for it, ignore this email."),
    ("portal_link", "email", "fr", "Votre lien de connexion",
     "Voici votre lien pour vous connecter à votre espace :\n\n{{ link }}\n\n"
     "Il fonctionne une fois, pendant {{ minutes }} minutes. Si vous ne l'avez pas demandé, "
     "ignorez ce courriel."),
    ("portal_code", "sms", "en", "",
     "Your sign-in code: {{ code }} (valid {{ minutes }} min, once)."),
    ("portal_code", "sms", "fr", "",
     "Votre code de connexion : {{ code }} (valide {{ minutes }} min, une fois)."),
]


def add(apps: Any, schema_editor: Any) -> None:
    Template = apps.get_model("messaging", "Template")
    for purpose, channel, language, subject, text in WORDS:
        Template.objects.get_or_create(
            purpose=purpose,
            channel=channel,
            language=language,
            defaults={
                "category": "service",
                "subject": subject,
                "text": text,
                "updated_by": "portal migration",
            },
        )


def remove(apps: Any, schema_editor: Any) -> None:
    Template = apps.get_model("messaging", "Template")
    Template.objects.filter(purpose__in=["portal_link", "portal_code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("messaging", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
