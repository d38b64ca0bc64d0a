from django.apps import AppConfig


class PromisesConfig(AppConfig):
    """Agreements customers hold and the promises staff make them."""

    name = "courtier.promises"
    label = "promises"

    def ready(self) -> None:
        from courtier.customers.card import register_section
        from courtier.promises.services.card import (
            _AGREEMENTS,
            _PENDING,
            card_agreements,
            card_pending_promises,
        )

        register_section("pending_promises", card_pending_promises, reads=[_PENDING])
        register_section("agreements", card_agreements, reads=[_AGREEMENTS])

        # Merges move agreements and promises with the customer (and their cases move too).
        from courtier.identity.services import register_repointer
        from courtier.promises.models import Agreement, Promise

        register_repointer("agreements", Agreement)
        register_repointer("promises", Promise)
