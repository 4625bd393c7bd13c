"""Editors define the procedures' services and the school calendars;
finance agents read them (and may correct a price)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR, FINANCE = "Rédacteurs", "Agents financiers"
MODELS = ("procedureservice", "quotientbracket", "schoolcalendar", "calendarclosure")
GRANTS = {
    EDITOR: [f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")],
    FINANCE: [f"{action}_{model}" for model in MODELS for action in ("change", "view")],
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
        ("billing", "0006_tariffs_to_services"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
