"""Drop the foreign-key index on customer where another index already starts with it."""

import django.db.models.deletion
from django.db import migrations, models

from courtier.core.migration_ops import drop_covered_fk_index


class Migration(migrations.Migration):
    dependencies = [
        ('customers', '0003_search_tokens'),
    ]

    operations = [
        drop_covered_fk_index(
            migrations.AlterField(
                model_name='fact',
                name='customer',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='facts', to='customers.customer'),
            ),
            'customers_fact',
            'customers_fact_customer_id_1d9135f1',
        ),
        drop_covered_fk_index(
            migrations.AlterField(
                model_name='identifier',
                name='customer',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='identifiers', to='customers.customer'),
            ),
            'customers_identifier',
            'customers_identifier_customer_id_b95edd20',
        ),
    ]
