from django.apps import AppConfig


class CustomersConfig(AppConfig):
    """The customer record: who they are, how to reach them, what we know."""

    name = "courtier.customers"
    label = "customers"
