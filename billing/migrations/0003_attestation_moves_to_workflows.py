# The attestation d'inscription (the PDF and the editors' text) belongs to
# the confirmation, in workflows: removed from billing's state only. The
# tables and their rows stay; workflows 0006 takes them over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0002_finance_permissions"),
        ("workflows", "0005_procedure_page"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Attestation"),
                migrations.DeleteModel(name="AttestationSettings"),
            ],
            database_operations=[],
        ),
    ]
