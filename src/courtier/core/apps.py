from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared pieces: ids, errors, pagination and the commands that span apps."""

    name = "courtier.core"
    label = "core"
