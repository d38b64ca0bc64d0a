"""Back-office views of the customer record for administrators.

Read-only: every change to a record goes through the services, which validate it and write
the access log. Opening a record here is logged like any other look.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from courtier.audit.services import log_access
from courtier.customers.models import Customer, Fact, Identifier
from courtier.staff.services import actor_for_user


class IdentifierInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Identifier
    extra = 0
    readonly_fields = ("public_id", "value", "created_at")


class FactInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Fact
    extra = 0
    readonly_fields = ("public_id", "created_at")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("display_name", "language", "register", "status", "created_at")
    list_filter = ("status", "language", "register")
    search_fields = ("display_name", "identifiers__value")
    readonly_fields = ("public_id", "created_at", "updated_at")
    inlines = [IdentifierInline, FactInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if object_id.isdigit():
            log_access(int(object_id), actor_for_user(request.user), "view", "admin")  # type: ignore[arg-type]
        return super().change_view(request, object_id, form_url, extra_context)
