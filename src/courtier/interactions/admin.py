"""The timeline in the admin: read-only, because it is append-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from courtier.interactions.models import Interaction


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("occurred_at", "customer", "channel", "direction", "summary")
    list_filter = ("channel", "direction")
    raw_id_fields = ("customer", "staff")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
