from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The staff pages: sign-in, search, the screen pop and the customer page."""

    name = "courtier.console"
    label = "console"
