# Push notifications, the outbox's second channel: the devices
# (PushSubscription), a channel, a device and a link on outbox rows (e-mail
# rows keep channel="email"), and a push text per message template. The
# templates that exist get the default push text of their event: the field
# is new, so no editor's text is overwritten.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def seed_push_texts(apps, schema_editor):
    from notifications.defaults import DEFAULT_PUSH_TEXTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for template in MessageTemplate.objects.filter(push_text=""):
        text = DEFAULT_PUSH_TEXTS.get(template.event, "")
        if text:
            MessageTemplate.objects.filter(pk=template.pk).update(push_text=text)


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0004_family_by_id'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='messagetemplate',
            name='push_text',
            field=models.TextField(blank=True, help_text="Une ou deux phrases, envoyées avec l'e-mail aux téléphones où la famille a activé les notifications. Elles s'affichent sur l'écran verrouillé : pas de nom de famille ni de détail personnel. Mêmes variables que le texte. Vide : pas de notification pour cet événement.", max_length=500, verbose_name='notification sur le téléphone'),
        ),
        migrations.AddField(
            model_name='notification',
            name='channel',
            field=models.CharField(choices=[('email', 'E-mail'), ('push', 'Notification sur un appareil')], default='email', max_length=10, verbose_name='canal'),
        ),
        migrations.AddField(
            model_name='notification',
            name='link',
            field=models.CharField(blank=True, max_length=500, verbose_name='lien'),
        ),
        migrations.CreateModel(
            name='PushSubscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('endpoint', models.CharField(max_length=1000, unique=True, verbose_name='adresse du service de notification')),
                ('p256dh', models.CharField(max_length=200, verbose_name="clé publique de l'appareil")),
                ('auth', models.CharField(max_length=100, verbose_name="secret d'authentification")),
                ('label', models.CharField(blank=True, max_length=100, verbose_name='appareil')),
                ('user_agent', models.CharField(blank=True, max_length=300, verbose_name='navigateur')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='activé le')),
                ('last_success_at', models.DateTimeField(blank=True, null=True, verbose_name='dernier envoi réussi')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='push_subscriptions', to=settings.AUTH_USER_MODEL, verbose_name='utilisateur')),
            ],
            options={
                'verbose_name': 'appareil abonné aux notifications',
                'verbose_name_plural': 'appareils abonnés aux notifications',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='notification',
            name='push_subscription',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='notifications', to='notifications.pushsubscription', verbose_name='appareil'),
        ),
        migrations.RunPython(seed_push_texts, migrations.RunPython.noop),
    ]
