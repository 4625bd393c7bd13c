# The dossier's form page becomes Wagtail's Page, as Wagtail's own form
# submissions do: the form builder no longer names the page type (the
# procedure page, which moves from cms to workflows). Same column, same ids.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("inscrire_forms", "0002_submission_reopened_at"),
        ("cms", "0007_file_validity"),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="page",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                related_name="dossier_submissions", to=settings.WAGTAIL_PAGE_MODEL, verbose_name="formulaire",
            ),
        ),
    ]
