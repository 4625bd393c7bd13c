# The attestation (model and editors' settings) moves from billing to
# workflows with its rows: taken into this app's state on billing's tables,
# then moved to this app's table names, content types relabelled in place
# (so the editors' permission to change the text stays granted). Dossiers
# also record when the family was told of the confirmation: filled from
# the outbox for those already told, so the sweep never sends them again.

import django.db.models.deletion
import files.storage
import workflows.models.attestations
from django.db import migrations, models
from django.db.models import Min

MOVED = ("attestation", "attestationsettings")


def _relabel(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        ContentType.objects.filter(app_label=target, model=model).exclude(pk=old.pk).delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def forwards(apps, schema_editor) -> None:
    _relabel(apps, "billing", "workflows")
    Dossier = apps.get_model("workflows", "Dossier")
    Notification = apps.get_model("notifications", "Notification")
    told = (
        Notification.objects.filter(event="dossier_confirmed", content_type__app_label="workflows",
                                    content_type__model="dossier")
        .values("object_id").annotate(first=Min("created_at"))
    )
    for row in told.iterator():
        if row["object_id"].isdigit():
            Dossier.objects.filter(pk=int(row["object_id"]), confirmation_notified_at__isnull=True).update(
                confirmation_notified_at=row["first"]
            )


def backwards(apps, schema_editor) -> None:
    _relabel(apps, "workflows", "billing")


class Migration(migrations.Migration):

    dependencies = [
        ("workflows", "0005_procedure_page"),
        ("notifications", "0004_family_by_id"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("billing", "0003_attestation_moves_to_workflows"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AttestationSettings",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(default="Attestation d'inscription", max_length=120, verbose_name="titre")),
                        ("body", models.TextField(default="Nous attestons que l'enfant {enfant}, né(e) le {date_naissance}, est inscrit(e) à l'école {ecole} ({commune}) pour l'année scolaire {annee_scolaire}.\n\nDossier n° {reference} — famille {famille}.\n\nFait le {date}, pour servir et valoir ce que de droit.", help_text="Mots remplacés : {enfant}, {date_naissance}, {ecole}, {commune}, {annee_scolaire}, {reference}, {famille}, {date}.", verbose_name="texte")),
                        ("signature", models.CharField(blank=True, default="Le service des inscriptions", max_length=200, verbose_name="signature")),
                    ],
                    options={"verbose_name": "attestation d'inscription", "db_table": "billing_attestationsettings"},
                ),
                migrations.CreateModel(
                    name="Attestation",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("file", models.FileField(max_length=255, storage=files.storage.private_storage, upload_to=workflows.models.attestations.attestation_upload_to, verbose_name="fichier")),
                        ("generated_at", models.DateTimeField(auto_now_add=True, verbose_name="générée le")),
                        ("dossier", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="attestation", to="workflows.dossier")),
                    ],
                    options={
                        "verbose_name": "attestation d'inscription",
                        "verbose_name_plural": "attestations d'inscription",
                        "db_table": "billing_attestation",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="AttestationSettings", table=None),
        migrations.AlterModelTable(name="Attestation", table=None),
        migrations.AddField(
            model_name="dossier",
            name="confirmation_notified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="confirmation envoyée le"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
