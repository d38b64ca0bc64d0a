"""Administration of the business calendar, SLA targets and account owners."""

from __future__ import annotations

from django.contrib import admin

from courtier.cases.models import (
    AccountOwner,
    BusinessCalendar,
    BusinessHours,
    Case,
    Holiday,
    SlaTarget,
    Task,
)


class HoursInline(admin.TabularInline):  # type: ignore[type-arg]
    model = BusinessHours
    extra = 0


class HolidayInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class CalendarAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "time_zone", "is_default")
    inlines = [HoursInline, HolidayInline]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("priority", "segment", "first_response_minutes", "resolution_minutes")


@admin.register(AccountOwner)
class AccountOwnerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("customer", "user", "since")
    raw_id_fields = ("customer",)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only here: every change to a case goes through its services (hand-off note)."""

    list_display = ("subject", "status", "priority", "owner", "opened_at", "handoff_count")
    list_filter = ("status", "priority")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("subject", "owner", "due_at", "done_at")
