"""Which console permissions a staff member holds, in one query.

Django's ``has_perm`` loads every permission of the user and of each of their groups
through the ORM: two queries and about 4 ms per request here, more than the search it
guards. The console only asks about its own two permissions, so one hand-written query over
the same tables answers it, exactly as the model backend would (user permissions and group
permissions; superusers hold all; inactive users none).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import connection
from django.http import HttpRequest

USE = "use_console"
SETTLE = "settle_conflicts"
ALL = frozenset({USE, SETTLE})
_SQL = (
    "SELECT p.codename FROM auth_permission p "
    "JOIN django_content_type ct ON ct.id = p.content_type_id "
    "WHERE ct.app_label = 'console' AND ("
    "p.id IN (SELECT permission_id FROM auth_user_user_permissions WHERE user_id = %s) OR "
    "p.id IN (SELECT gp.permission_id FROM auth_group_permissions gp "
    "JOIN auth_user_groups ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s))"
)


def console_permissions(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """Return the console permission codenames ``user`` holds (see the module docstring)."""
    if not isinstance(user, User) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ALL
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [user.pk, user.pk])
        return frozenset(row[0] for row in cursor.fetchall())


def permissions_of(request: HttpRequest) -> frozenset[str]:
    """Return the signed-in user's console permissions, computed once per request."""
    cached = getattr(request, "_console_permissions", None)
    if cached is None:
        cached = console_permissions(request.user)
        request._console_permissions = cached  # type: ignore[attr-defined]
    return cached
