"""Store the default SLA targets as rows an administrator can change."""

from typing import Any

from django.db import migrations

# Business minutes (first response, resolution); the same figures as DEFAULT_TARGETS.
TARGETS = {
    "urgent": (60, 480),
    "high": (240, 960),
    "normal": (480, 2400),
    "low": (960, 4800),
}


def seed(apps: Any, schema_editor: Any) -> None:
    SlaTarget = apps.get_model("cases", "SlaTarget")
    for priority, (first, resolution) in TARGETS.items():
        SlaTarget.objects.get_or_create(
            priority=priority,
            segment="",
            defaults={"first_response_minutes": first, "resolution_minutes": resolution},
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
