"""Drop the foreign-key index on customer where another index already starts with it."""

import django.db.models.deletion
from django.db import migrations, models

from courtier.core.migration_ops import drop_covered_fk_index


class Migration(migrations.Migration):
    dependencies = [
        ('customers', '0004_customer_index_covered'),
        ('promises', '0001_initial'),
    ]

    operations = [
        drop_covered_fk_index(
            migrations.AlterField(
                model_name='agreement',
                name='customer',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='agreements', to='customers.customer'),
            ),
            'promises_agreement',
            'promises_agreement_customer_id_3e1111f4',
        ),
        drop_covered_fk_index(
            migrations.AlterField(
                model_name='promise',
                name='customer',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='promises', to='customers.customer'),
            ),
            'promises_promise',
            'promises_promise_customer_id_946d8924',
        ),
    ]
