"""API tokens in the admin: listed and revocable, never shown."""

from django.contrib import admin

from courtier.staff.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "user", "created_at", "revoked_at")
    readonly_fields = ("public_id", "token_hash", "user", "name", "created_at")
