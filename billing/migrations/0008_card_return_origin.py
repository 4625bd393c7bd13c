from django.db import migrations, models


class Migration(migrations.Migration):
    """Card payments remember the portal address the payer started from, so
    the provider sends them back there (existing payments: SITE_URL, as before)."""

    dependencies = [
        ("billing", "0007_services_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="cardpayment",
            name="return_origin",
            field=models.CharField(
                blank=True, default="", max_length=255, verbose_name="adresse de retour",
                help_text="L'adresse du portail par laquelle la famille a commencé le paiement (sinon SITE_URL).",
            ),
        ),
    ]
