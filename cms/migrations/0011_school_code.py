"""Each school gets the code families receive (« Votre code 3KTUKZ »).
Existing schools are carried forward with a fresh code each, which editors
may change afterwards."""

import secrets

from django.db import migrations, models

import cms.models

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def give_codes(apps, schema_editor):
    School = apps.get_model("cms", "School")
    taken = set(School.objects.exclude(code__isnull=True).values_list("code", flat=True))
    for school in School.objects.filter(code__isnull=True).order_by("pk"):
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(6))
            if any(c.isalpha() for c in code) and code not in taken:
                break
        taken.add(code)
        school.code = code
        school.save(update_fields=["code"])


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0010_help_install_app_block"),
    ]

    operations = [
        migrations.AddField(
            model_name="school",
            name="code",
            field=models.CharField(max_length=12, null=True, verbose_name="code de l'école"),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="school",
            name="code",
            field=models.CharField(
                default=cms.models.new_school_code,
                help_text="Le code que reçoivent les familles : saisi à l'ouverture du compte, il trouve cette école. De 4 à 12 lettres majuscules et chiffres.",
                max_length=12,
                unique=True,
                validators=[cms.models.school_code_validator],
                verbose_name="code de l'école",
            ),
        ),
    ]
