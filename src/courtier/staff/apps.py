from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Staff members and the API tokens integrations use on their behalf."""

    name = "courtier.staff"
    label = "staff"
