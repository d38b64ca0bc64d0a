from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Placeholder for the staff console (replaced at merge by the console branch)."""

    name = "courtier.console"
    label = "console"
