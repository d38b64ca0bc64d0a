from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """Templates, house style, preferences and consent, etiquette, outbox, channels, inbound."""

    name = "courtier.messaging"
    label = "messaging"

    def ready(self) -> None:
        from courtier.customers.card import register_section
        from courtier.messaging.services.outbox import _CARD as messages_query
        from courtier.messaging.services.outbox import card_messages

        register_section("messages", card_messages, reads=[messages_query])

        from courtier.messaging.services import merging

        merging.register()
