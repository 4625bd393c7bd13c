from django.db import migrations, models


class Migration(migrations.Migration):
    """The outbox row keeps what its message is rendered from until the
    delivery task renders it. Existing rows are already rendered: null."""

    dependencies = [
        ("notifications", "0009_message_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="render_input",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="données du message"),
        ),
    ]
