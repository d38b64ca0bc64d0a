"""Drop the foreign-key index on customer where another index already starts with it."""

import django.db.models.deletion
from django.db import migrations, models

from courtier.core.migration_ops import drop_covered_fk_index


class Migration(migrations.Migration):
    dependencies = [
        ('customers', '0004_customer_index_covered'),
        ('messaging', '0003_message_bounced_at'),
    ]

    operations = [
        drop_covered_fk_index(
            migrations.AlterField(
                model_name='consent',
                name='customer',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='consents', to='customers.customer'),
            ),
            'messaging_consent',
            'messaging_consent_customer_id_1a522fe7',
        ),
        drop_covered_fk_index(
            migrations.AlterField(
                model_name='message',
                name='customer',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='customers.customer'),
            ),
            'messaging_message',
            'messaging_message_customer_id_8d410b21',
        ),
        drop_covered_fk_index(
            migrations.AlterField(
                model_name='preferencechange',
                name='customer',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='preference_changes', to='customers.customer'),
            ),
            'messaging_preferencechange',
            'messaging_preferencechange_customer_id_86ada1c4',
        ),
    ]
