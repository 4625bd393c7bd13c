"""Names Wagtail's moderation workflow in French.

Wagtail's own migration (wagtailcore 0048) creates, from the « Moderators »
group's publish permission, a workflow and its task both called
« Moderators approval »: editors then read « Soumettre à Moderators
approval » on every page. Renamed « Relecture » (the workflow) and
« Relecture par les modérateurs » (its one task); a workflow an
administrator has renamed already is left alone.
"""

from django.db import migrations

ENGLISH = "Moderators approval"
WORKFLOW, TASK = "Relecture", "Relecture par les modérateurs"


def to_french(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=ENGLISH).update(name=WORKFLOW)
    apps.get_model("wagtailcore", "Task").objects.filter(name=ENGLISH).update(name=TASK)


def to_english(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW).update(name=ENGLISH)
    apps.get_model("wagtailcore", "Task").objects.filter(name=TASK).update(name=ENGLISH)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0011_school_code"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(to_french, to_english)]
