from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Fuzzy recognition, duplicate detection and reversible merge."""

    name = "courtier.identity"
    label = "identity"

    def ready(self) -> None:
        # The timeline moves with a merge; other apps register their own re-pointers.
        from courtier.identity.services.merging import register_repointer
        from courtier.interactions.models import Interaction

        register_repointer("interactions", Interaction, "customer")
