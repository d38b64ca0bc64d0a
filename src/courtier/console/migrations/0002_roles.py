"""Staff roles as groups: agent, manager, admin, each with the permissions it needs."""

from __future__ import annotations

from typing import Any

from django.db import migrations

AGENT = [
    "console.use_console",
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "customers.view_identifier",
    "customers.add_identifier",
    "customers.view_fact",
    "customers.add_fact",
    "interactions.view_interaction",
    "interactions.add_interaction",
]
MANAGER = [
    *AGENT,
    "console.settle_conflicts",
    "customers.change_identifier",
    "customers.delete_identifier",
    "customers.change_fact",
    "audit.view_accesslog",
]
ADMIN = [
    *MANAGER,
    "customers.delete_customer",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
    "auth.change_group",
    "staff.view_apitoken",
    "staff.add_apitoken",
    "staff.change_apitoken",
]
ROLES = {"agent": AGENT, "manager": MANAGER, "admin": ADMIN}


def create_roles(apps: Any, schema_editor: Any) -> None:
    # Permissions are normally created after all migrations ran; roles need them now.
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        original = getattr(config, "models_module", None)
        config.models_module = original or True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for name in names:
            app_label, codename = name.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)


def remove_roles(apps: Any, schema_editor: Any) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0002_search"),
        ("interactions", "0001_initial"),
        ("audit", "0001_initial"),
        ("staff", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
