from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    """The timeline: every contact on every channel."""

    name = "courtier.interactions"
    label = "interactions"

    def ready(self) -> None:
        from courtier.customers.card import register_section
        from courtier.interactions.services import _CARD as interactions_query
        from courtier.interactions.services import card_interactions

        register_section("interactions", card_interactions, reads=[interactions_query])
