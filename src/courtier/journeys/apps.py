from collections.abc import Callable

from django.apps import AppConfig


class JourneysConfig(AppConfig):
    """Proactive rules: triggers (events and dates), conditions, actions."""

    name = "courtier.journeys"
    label = "journeys"

    def ready(self) -> None:
        from courtier.journeys.services import merging

        merging.register()

    def worker_steps(self, lease: float = 60.0) -> list[Callable[[], int]]:
        """What ``courtier worker`` runs each turn besides sending messages."""
        from courtier.journeys.tasks import worker_steps

        return worker_steps(lease)
