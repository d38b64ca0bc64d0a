from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The staff pages."""

    name = "courtier.console"
    label = "console"
