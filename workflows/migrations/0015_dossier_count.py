"""The staff list's counter (``DossierCount``), filled from the dossiers
that exist: the counts the list reads are right from the first request."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Exists, OuterRef


def fill(apps, schema_editor):
    Dossier = apps.get_model("workflows", "Dossier")
    DossierReviewer = apps.get_model("workflows", "DossierReviewer")
    DossierCount = apps.get_model("workflows", "DossierCount")
    directors = DossierReviewer.objects.filter(dossier=OuterRef("pk"), group__kind="school_directors")
    rows = (Dossier.objects.order_by().annotate(directors=Exists(directors))
            .values("school_id", "submission__page_id", "directors", "state").annotate(n=Count("pk")))
    DossierCount.objects.bulk_create([
        DossierCount(school_id=r["school_id"], procedure_id=r["submission__page_id"] or 0,
                     directors=r["directors"], state=r["state"], count=r["n"])
        for r in rows
    ])


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0001_initial"),
        ("workflows", "0014_unread_messages"),
    ]

    operations = [
        migrations.CreateModel(
            name="DossierCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("procedure_id", models.PositiveIntegerField(default=0, verbose_name="démarche")),
                ("state", models.CharField(choices=[
                    ("submitted", "Déposé, en attente de validation"), ("correction", "Compléments demandés"),
                    ("awaiting_payment", "Validé, en attente de paiement"), ("confirmed", "Confirmé"),
                    ("refused", "Refusé"), ("withdrawn", "Retiré par la famille")],
                    max_length=20, verbose_name="état")),
                ("directors", models.BooleanField(default=True, verbose_name="examiné par la direction")),
                ("count", models.IntegerField(default=0, verbose_name="nombre")),
                ("school", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                             to="cms.school")),
            ],
            options={
                "verbose_name": "compteur de dossiers",
                "verbose_name_plural": "compteurs de dossiers",
                "constraints": [models.UniqueConstraint(fields=("school", "procedure_id", "directors", "state"),
                                                        name="dossier_count_unique")],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
