# The outbox names the family by id instead of a foreign key to accounts:
# notifications depends on no other app of the project. Same column
# (family_id), same values; only the constraint goes.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_editor_permissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="family",
                    field=models.BigIntegerField(blank=True, null=True, db_index=True, db_column="family_id"),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="notification", name="family"),
                migrations.AddField(
                    model_name="notification",
                    name="family_id",
                    field=models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name="famille"),
                ),
            ],
        ),
    ]
