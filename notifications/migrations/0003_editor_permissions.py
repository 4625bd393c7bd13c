"""Editors (« Rédacteurs ») write the messages. They do not read the
outbox: it holds what families were sent (children's names, references);
administrators follow sends and resend failures."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "Rédacteurs"
PERMISSIONS = [
    ("messagetemplate", ("add", "change", "view")),
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("notifications")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITOR)
    for model, actions in PERMISSIONS:
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="notifications", codename__in=[f"{action}_{model}" for action in actions]
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name=EDITOR).first()
    if editors is not None:
        editors.permissions.remove(*Permission.objects.filter(content_type__app_label="notifications"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_message_templates_outbox_delivery"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
