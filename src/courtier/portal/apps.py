from collections.abc import Callable

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer's self-service pages."""

    name = "courtier.portal"
    label = "portal"
    verbose_name = "Customer portal"

    def ready(self) -> None:
        from courtier.portal import words

        words.ship()

        # A merge signs the merged record out of the portal (its sessions are not moved).
        from courtier.portal.services import merging

        merging.register()

    def worker_steps(self, lease: float = 60.0) -> list[Callable[[], int]]:
        """What ``courtier worker`` runs each turn for the portal."""
        from courtier.portal.tasks import worker_steps

        return worker_steps(lease)
