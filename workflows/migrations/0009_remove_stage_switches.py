# The switches are now the stages (0008): they go.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("workflows", "0008_stages_from_switches"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='dossier',
            name='corrections_allowed',
        ),
        migrations.RemoveField(
            model_name='dossier',
            name='validation_required',
        ),
        migrations.RemoveField(
            model_name='dossier',
            name='validation_role',
        ),
        migrations.RemoveField(
            model_name='procedurepage',
            name='attestation_enabled',
        ),
        migrations.RemoveField(
            model_name='procedurepage',
            name='corrections_allowed',
        ),
        migrations.RemoveField(
            model_name='procedurepage',
            name='payment_required',
        ),
        migrations.RemoveField(
            model_name='procedurepage',
            name='validation_required',
        ),
        migrations.RemoveField(
            model_name='procedurepage',
            name='validation_role',
        ),
    ]
