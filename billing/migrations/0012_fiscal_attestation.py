"""The attestation fiscale of childcare costs: its text, written by
editors (« Rédacteurs », as the attestation d'inscription's), and the kind
of service of each bill line, filled for the lines issued so far from the
service of that name in the dossier's procedure (a credit, which had no
dossier, gets its child's dossier among the family's)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

EDITOR = "Rédacteurs"
GRANTS = {EDITOR: ["change_fiscalattestationsettings"]}
CREDIT = "Avoir : "


def fill_kinds(apps, schema_editor):
    BillLine = apps.get_model("billing", "BillLine")
    ProcedureService = apps.get_model("billing", "ProcedureService")
    Dossier = apps.get_model("workflows", "Dossier")
    kinds: dict[tuple[int, str], set[str]] = {}
    for procedure_id, name, kind in ProcedureService.objects.values_list("procedure_id", "name", "kind"):
        kinds.setdefault((procedure_id, name), set()).add(kind)

    def kind_of(procedure_id, name):
        found = kinds.get((procedure_id, name), set())
        return next(iter(found)) if len(found) == 1 else ""

    for line in BillLine.objects.filter(kind="").select_related("bill", "dossier__submission").iterator():
        if line.dossier_id is not None:
            line.kind = kind_of(line.dossier.submission.page_id, line.service)
            if line.kind:
                line.save(update_fields=["kind"])
            continue
        if not line.service.startswith(CREDIT):
            continue
        name = line.service[len(CREDIT):]
        candidates = [
            d for d in Dossier.objects.filter(family_id=line.bill.family_id).select_related("child", "submission")
            if f"{d.child.first_name} {d.child.last_name}" == line.child and kind_of(d.submission.page_id, name)
        ]
        if len(candidates) == 1:
            line.dossier_id = candidates[0].pk
            line.kind = kind_of(candidates[0].submission.page_id, name)
            line.save(update_fields=["kind", "dossier"])


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
        ('billing', '0011_bill_line_consumption_month'),
        ('workflows', '0001_initial'),
        ('accounts', '0002_roles'),
    ]

    operations = [
        migrations.CreateModel(
            name='FiscalAttestationSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(default='Attestation fiscale — frais de garde des enfants de moins de 6 ans', max_length=120, verbose_name='titre')),
                ('body', models.TextField(default="Nous, {gestionnaire}, attestons avoir reçu de la famille {famille} la somme de {montant} au titre des frais de garde (accueil périscolaire) de l'enfant {enfant}, né(e) le {date_naissance}, payés pendant l'année {annee}.\n\nLes repas (restauration scolaire) ne sont pas compris dans cette somme.\n\nFait le {date}, pour servir et valoir ce que de droit.", help_text='Mots remplacés : {enfant}, {date_naissance}, {famille}, {montant}, {annee}, {gestionnaire}, {date}.', verbose_name='texte')),
                ('signature', models.CharField(blank=True, default='Le service financier', max_length=200, verbose_name='signature')),
            ],
            options={
                'verbose_name': 'attestation fiscale (frais de garde)',
            },
        ),
        migrations.AddField(
            model_name='billline',
            name='kind',
            field=models.CharField(blank=True, choices=[('canteen', 'Restauration scolaire (cantine)'), ('after_school', 'Accueil périscolaire (garderie)'), ('study', 'Étude surveillée'), ('transport', 'Transport scolaire')], db_index=True, max_length=20, verbose_name='type de service'),
        ),
        migrations.RunPython(fill_kinds, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
