"""Drop the foreign-key index on customer where another index already starts with it."""

import django.db.models.deletion
from django.db import migrations, models

from courtier.core.migration_ops import drop_covered_fk_index


class Migration(migrations.Migration):
    dependencies = [
        ('customers', '0004_customer_index_covered'),
        ('identity', '0001_initial'),
    ]

    operations = [
        drop_covered_fk_index(
            migrations.AlterField(
                model_name='blockingkey',
                name='customer',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer'),
            ),
            'identity_blockingkey',
            'identity_blockingkey_customer_id_e7cc5e24',
        ),
    ]
