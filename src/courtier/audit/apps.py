from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Who looked at or changed a customer's record, and why."""

    name = "courtier.audit"
    label = "audit"
