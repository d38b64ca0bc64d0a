"""The manage_rules permission, held by the manager and admin roles."""

from __future__ import annotations

from typing import Any

from django.db import migrations

ROLES = ("manager", "admin")


def grant(apps: Any, schema_editor: Any) -> None:
    # Permissions are normally created after all migrations ran; the roles need it now.
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("journeys")
    original = getattr(config, "models_module", None)
    config.models_module = original or True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = original
    Permission = apps.get_model("auth", "Permission")
    perm = Permission.objects.get(content_type__app_label="journeys", codename="manage_rules")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.add(perm)


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="journeys", codename="manage_rules").delete()


class Migration(migrations.Migration):
    dependencies = [("journeys", "0002_birthday_index"), ("console", "0002_roles")]

    operations = [
        migrations.AlterModelOptions(
            name="rule",
            options={
                "permissions": [("manage_rules", "Can edit, enable and disable proactive rules")]
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
