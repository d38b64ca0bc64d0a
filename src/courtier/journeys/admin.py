"""Rules and what they did, in the admin: for reading; rules change through the console or
the API, where they are checked and disabled until previewed again."""

from __future__ import annotations

from django.contrib import admin

from courtier.journeys.models import Firing, Rule, WebhookCall


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Nothing here is written by hand: the services own every change."""

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Rule)
class RuleAdmin(ReadOnly):
    list_display = ("name", "trigger", "days", "enabled", "last_run_at", "last_run_note")
    list_filter = ("enabled", "trigger")


@admin.register(Firing)
class FiringAdmin(ReadOnly):
    list_display = ("rule", "customer", "occurrence", "outcome", "reason", "at")
    list_filter = ("outcome", "rule")
    raw_id_fields = ("customer",)


@admin.register(WebhookCall)
class WebhookCallAdmin(ReadOnly):
    list_display = ("rule", "url", "state", "attempts", "status_code", "last_error", "sent_at")
    list_filter = ("state",)
    raw_id_fields = ("customer",)
