from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer's self-service pages."""

    name = "courtier.portal"
    label = "portal"
    verbose_name = "Customer portal"

    def ready(self) -> None:
        from courtier.portal import words

        words.ship()
