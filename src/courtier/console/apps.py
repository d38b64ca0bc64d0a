from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The staff pages (placeholder until the console branch is merged)."""

    name = "courtier.console"
    label = "console"
