"""The birthday trigger's index: month-day of each live birth_date fact (see triggers.py)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("journeys", "0001_initial"), ("customers", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX journeys_birthday ON customers_fact (key, substr(value, 6, 5)) "
            "WHERE retracted_at IS NULL",
            "DROP INDEX journeys_birthday",
        )
    ]
