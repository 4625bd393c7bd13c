"""Finance agents manage the tariffs and the payment settings (creditor
identifier, cash desk); editors write the attestation's text and may edit
tariffs too. What they see of dossiers is decided by the workspace's scope,
not by these permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR, FINANCE = "Rédacteurs", "Agents financiers"
GRANTS = {
    FINANCE: ["add_tariff", "change_tariff", "delete_tariff", "view_tariff", "change_paymentsettings"],
    EDITOR: ["add_tariff", "change_tariff", "view_tariff", "change_attestationsettings"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("billing")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="billing", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
