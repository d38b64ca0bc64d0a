"""The access log in the admin: read-only evidence."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from courtier.audit.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "customer_id", "actor_label", "action", "reason")
    list_filter = ("action", "actor_kind")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
