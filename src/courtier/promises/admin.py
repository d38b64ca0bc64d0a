"""Agreements and promises in the admin: for reading; changes go through the services."""

from __future__ import annotations

from django.contrib import admin

from courtier.promises.models import Agreement, Promise


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("product", "customer", "start_date", "end_date", "effective_end_date", "status")
    readonly_fields = ("extension_months", "effective_end_date", "effective_renewal_date")
    raw_id_fields = ("customer",)


@admin.register(Promise)
class PromiseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: keeping a promise must apply it, which only the service does."""

    list_display = ("kind", "customer", "made_by", "owner", "due_at", "state")
    list_filter = ("kind", "state")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False
