from django.apps import AppConfig


class CasesConfig(AppConfig):
    """Requests with one owner, hand-offs, SLA clocks and the business calendar."""

    name = "courtier.cases"
    label = "cases"

    def ready(self) -> None:
        from courtier.cases.services.clocks import _CARD as open_cases_query
        from courtier.cases.services.clocks import card_open_cases
        from courtier.cases.services.replies import link_reply
        from courtier.customers.card import register_section
        from courtier.messaging.services.inbound import register_case_linker

        register_section("open_cases", card_open_cases, reads=[open_cases_query])
        register_case_linker(link_reply)

        # Merges move requests with the customer; the survivor keeps its own account owner.
        from courtier.cases.models import AccountOwner, Case
        from courtier.identity.services import register_repointer

        register_repointer("cases", Case)
        register_repointer("account_owner", AccountOwner, one_per=())
