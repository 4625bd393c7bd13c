"""The confirmation e-mail wishes « une belle rentrée » only until the
rentrée (``before_rentree``): a database made before still holds the
editors' copy of the old default, which wished it in December too. Where
the copy still has the old sentence as it was shipped, it becomes the
conditional one; a sentence an editor rewrote is left as written."""

from django.db import migrations

OLD = "Nous souhaitons une belle rentrée à {{ child.first_name }} !"
NEW = ("{% if before_rentree %}Nous souhaitons une belle rentrée à {{ child.first_name }} !"
       "{% else %}Nous souhaitons une belle année scolaire à {{ child.first_name }} !{% endif %}")


def forwards(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for template in MessageTemplate.objects.filter(event="dossier_confirmed", body__contains=OLD):
        if "before_rentree" in template.body:
            continue
        template.body = template.body.replace(OLD, NEW)
        template.save(update_fields=["body"])


def backwards(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for template in MessageTemplate.objects.filter(event="dossier_confirmed", body__contains=NEW):
        template.body = template.body.replace(NEW, OLD)
        template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0010_notification_render_input")]
    operations = [migrations.RunPython(forwards, backwards)]
