"""Drop the foreign-key index on customer where another index already starts with it."""

import django.db.models.deletion
from django.db import migrations, models

from courtier.core.migration_ops import drop_covered_fk_index


class Migration(migrations.Migration):
    dependencies = [
        ('cases', '0003_case_cases_case_status_3e8764_idx'),
        ('customers', '0004_customer_index_covered'),
    ]

    operations = [
        drop_covered_fk_index(
            migrations.AlterField(
                model_name='case',
                name='customer',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='cases', to='customers.customer'),
            ),
            'cases_case',
            'cases_case_customer_id_3e0cf925',
        ),
    ]
