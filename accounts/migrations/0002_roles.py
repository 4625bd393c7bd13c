"""Creates the staff roles as groups.

Editors get what Wagtail's own « Moderators » group has (pages, images,
documents, admin access) plus the project's snippets; directors and finance
agents get access to the admin only: what they may see is decided by their
schools, not by model permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR, DIRECTOR, FINANCE = "Rédacteurs", "Directeurs d'école", "Agents financiers"
EDITOR_MODELS = [("cms", "school")]


def _ensure_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_roles(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    editors, _ = Group.objects.get_or_create(name=EDITOR)
    moderators = Group.objects.filter(name="Moderators").first()
    if moderators is not None:
        editors.permissions.add(*moderators.permissions.all())
        for gpp in GroupPagePermission.objects.filter(group=moderators):
            GroupPagePermission.objects.get_or_create(group=editors, page=gpp.page, permission=gpp.permission)
        for gcp in GroupCollectionPermission.objects.filter(group=moderators):
            GroupCollectionPermission.objects.get_or_create(
                group=editors, collection=gcp.collection, permission=gcp.permission
            )
    editors.permissions.add(access_admin)
    for app_label, model in EDITOR_MODELS:
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
        )
    for name in (DIRECTOR, FINANCE):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITOR, DIRECTOR, FINANCE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
