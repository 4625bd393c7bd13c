# The procedure page moves from cms to workflows and is renamed
# ProcedurePage, keeping every row: taken into this app's state on its old
# table, renamed (the M2M's column follows), moved to its own table name,
# and its content type relabelled in place — so pages, revisions, log
# entries and dossiers keep pointing at the same content type id. The model
# permissions follow the new name. Reversible.

import django.db.models.deletion
import modelcluster.fields
import wagtail.fields
from django.conf import settings
from django.db import migrations, models

OLD = ("cms", "enrolmentformpage")
NEW = ("workflows", "procedurepage")


def _relabel(apps, schema_editor, source, target) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    old = ContentType.objects.filter(app_label=source[0], model=source[1]).first()
    if old is None:
        return  # a fresh database: post_migrate makes the content type
    stale = ContentType.objects.filter(app_label=target[0], model=target[1]).first()
    if stale is not None:
        # Made early by something that asked for it; nothing can point to it yet.
        if Page.objects.filter(content_type_id=stale.pk).exists():
            raise RuntimeError(f"Pages already use the content type {target}: cannot relabel {source}.")
        Permission.objects.filter(content_type_id=stale.pk).delete()
        stale.delete()
    old.app_label, old.model = target
    old.save(update_fields=["app_label", "model"])
    for permission in Permission.objects.filter(content_type_id=old.pk):
        permission.codename = permission.codename.replace(source[1], target[1])
        permission.save(update_fields=["codename"])


def forwards(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0008_procedure_page_moves_to_workflows"),
        ("inscrire_forms", "0003_submission_page_is_a_wagtail_page"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("workflows", "0004_exported_action"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EnrolmentFormPage",
                    fields=[
                        ("page_ptr", models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                        ("intro", wagtail.fields.RichTextField(blank=True, help_text="Ce que la démarche permet, qui est concerné, les pièces à préparer.", verbose_name="introduction")),
                        ("opens_at", models.DateTimeField(blank=True, help_text="Vide : ouvert dès la publication.", null=True, verbose_name="ouverture")),
                        ("closes_at", models.DateTimeField(blank=True, help_text="Vide : pas de date de fin.", null=True, verbose_name="clôture")),
                        ("before_opening_text", wagtail.fields.RichTextField(blank=True, help_text="Affiché avant l'ouverture, sous la date d'ouverture.", verbose_name="texte avant l'ouverture")),
                        ("after_closing_text", wagtail.fields.RichTextField(blank=True, help_text="Affiché après la clôture : à qui s'adresser pour une inscription tardive, par exemple.", verbose_name="texte après la clôture")),
                        ('form', wagtail.fields.StreamField([('step', 39)], block_lookup={0: ('wagtail.blocks.CharBlock', (), {'label': "Titre de l'étape", 'max_length': 255}), 1: ('wagtail.blocks.RichTextBlock', (), {'features': ['bold', 'italic', 'link', 'ol', 'ul'], 'label': 'Introduction', 'required': False}), 2: ('wagtail.blocks.CharBlock', (), {'help_text': "Nom ou libellé d'une question placée avant. Laisser vide : toujours affiché.", 'label': 'Afficher seulement si la question', 'required': False}), 3: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('equals', 'est égale à'), ('not_equals', 'est différente de'), ('filled', 'est renseignée')], 'label': 'Condition'}), 4: ('wagtail.blocks.CharBlock', (), {'help_text': "Par exemple « Oui », ou l'un des choix proposés.", 'label': 'Valeur', 'required': False}), 5: ('wagtail.blocks.StructBlock', [[('field', 2), ('operator', 3), ('value', 4)]], {}), 6: ('wagtail.blocks.CharBlock', (), {'label': 'Libellé', 'max_length': 255}), 7: ('wagtail.blocks.CharBlock', (), {'help_text': 'Déduit du libellé si vide. Ne le changez plus une fois les inscriptions ouvertes.', 'label': 'Nom technique', 'max_length': 60, 'required': False}), 8: ('wagtail.blocks.CharBlock', (), {'label': "Texte d'aide", 'max_length': 500, 'required': False}), 9: ('wagtail.blocks.BooleanBlock', (), {'default': True, 'label': 'Obligatoire', 'required': False}), 10: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('child.first_name', "Prénom de l'enfant"), ('child.last_name', "Nom de l'enfant"), ('child.birth_date', "Date de naissance de l'enfant"), ('child.level', "Niveau de l'enfant"), ('guardian.first_name', 'Prénom du responsable connecté'), ('guardian.last_name', 'Nom du responsable connecté'), ('guardian.email', 'E-mail du responsable connecté'), ('family.name', 'Nom de la famille'), ('family.address', 'Adresse de la famille'), ('family.postal_code', 'Code postal de la famille'), ('family.commune', 'Commune de la famille'), ('family.phone', 'Téléphone de la famille'), ('family.phone_alt', 'Autre téléphone de la famille')], 'help_text': 'Une valeur déjà connue de la famille, modifiable par elle.', 'label': 'Pré-remplir avec', 'required': False}), 11: ('wagtail.blocks.StructBlock', [[('label', 6), ('name', 7), ('help_text', 8), ('required', 9), ('prefill', 10), ('condition', 5)]], {}), 12: ('wagtail.blocks.DateBlock', (), {'label': 'Au plus tôt le', 'required': False}), 13: ('wagtail.blocks.DateBlock', (), {'label': 'Au plus tard le', 'required': False}), 14: ('wagtail.blocks.StructBlock', [[('label', 6), ('name', 7), ('help_text', 8), ('required', 9), ('prefill', 10), ('condition', 5), ('min_date', 12), ('max_date', 13)]], {}), 15: ('wagtail.blocks.DecimalBlock', (), {'label': 'Minimum', 'required': False}), 16: ('wagtail.blocks.DecimalBlock', (), {'label': 'Maximum', 'required': False}), 17: ('wagtail.blocks.IntegerBlock', (), {'default': 0, 'label': 'Décimales', 'max_value': 4, 'min_value': 0}), 18: ('wagtail.blocks.StructBlock', [[('label', 6), ('name', 7), ('help_text', 8), ('required', 9), ('prefill', 10), ('condition', 5), ('min_value', 15), ('max_value', 16), ('decimal_places', 17)]], {}), 19: ('wagtail.blocks.TextBlock', (), {'help_text': 'Un choix par ligne.', 'label': 'Choix'}), 20: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('radio', 'Boutons radio'), ('select', 'Liste déroulante')], 'label': 'Présentation'}), 21: ('wagtail.blocks.StructBlock', [[('label', 6), ('name', 7), ('help_text', 8), ('required', 9), ('prefill', 10), ('condition', 5), ('choices', 19), ('widget', 20)]], {}), 22: ('wagtail.blocks.StructBlock', [[('label', 6), ('name', 7), ('help_text', 8), ('required', 9), ('prefill', 10), ('condition', 5), ('choices', 19)]], {}), 23: ('wagtail.blocks.MultipleChoiceBlock', [], {'choices': [('pdf', 'PDF'), ('jpg', 'Image JPEG'), ('png', 'Image PNG')], 'label': 'Types permis'}), 24: ('wagtail.blocks.IntegerBlock', (), {'default': 5, 'label': 'Taille maximale (Mo)', 'max_value': 20, 'min_value': 1}), 25: ('wagtail.blocks.IntegerBlock', (), {'help_text': "Pour une réinscription, le document déposé l'année précédente est repris s'il a moins de mois que cela ; sinon il est redemandé. Vide : il est toujours repris (un acte de naissance, par exemple).", 'label': 'Validité (mois)', 'max_value': 240, 'min_value': 1, 'required': False}), 26: ('wagtail.blocks.StructBlock', [[('label', 6), ('name', 7), ('help_text', 8), ('required', 9), ('prefill', 10), ('condition', 5), ('allowed_types', 23), ('max_size_mb', 24), ('max_age_months', 25)]], {}), 27: ('wagtail.blocks.CharBlock', (), {'label': 'Titre', 'max_length': 255}), 28: ('wagtail.blocks.StructBlock', [[('text', 27), ('condition', 5)]], {}), 29: ('wagtail.blocks.RichTextBlock', (), {'features': ['bold', 'italic', 'link', 'ol', 'ul'], 'label': 'Texte'}), 30: ('wagtail.blocks.StructBlock', [[('text', 29), ('condition', 5)]], {}), 31: ('wagtail.blocks.CharBlock', (), {'label': 'Titre du groupe', 'max_length': 255}), 32: ('wagtail.blocks.CharBlock', (), {'label': 'Nom technique', 'max_length': 60, 'required': False}), 33: ('wagtail.blocks.CharBlock', (), {'default': 'Personne', 'label': "Nom d'un élément", 'max_length': 60}), 34: ('wagtail.blocks.IntegerBlock', (), {'default': 0, 'label': 'Nombre minimum', 'max_value': 20, 'min_value': 0}), 35: ('wagtail.blocks.IntegerBlock', (), {'default': 4, 'label': 'Nombre maximum', 'max_value': 20, 'min_value': 1}), 36: ('wagtail.blocks.StreamBlock', [[('text', 11), ('email', 11), ('phone', 11), ('date', 14), ('number', 18), ('choice', 21), ('yesno', 11), ('postal_code', 11)]], {'label': 'Questions de chaque élément'}), 37: ('wagtail.blocks.StructBlock', [[('label', 31), ('name', 32), ('help_text', 8), ('item_label', 33), ('min_count', 34), ('max_count', 35), ('fields', 36), ('condition', 5)]], {}), 38: ('wagtail.blocks.StreamBlock', [[('text', 11), ('email', 11), ('phone', 11), ('date', 14), ('number', 18), ('choice', 21), ('yesno', 11), ('postal_code', 11), ('textarea', 11), ('multichoice', 22), ('consent', 11), ('file', 26), ('heading', 28), ('paragraph', 30), ('group', 37)]], {'label': 'Questions'}), 39: ('wagtail.blocks.StructBlock', [[('title', 0), ('intro', 1), ('condition', 5), ('fields', 38)]], {})}, verbose_name='formulaire')),
                        ("confirmation_text", wagtail.fields.RichTextField(blank=True, help_text="Affiché à la famille quand elle dépose un dossier.", verbose_name="texte de confirmation")),
                        ("validation_required", models.BooleanField(default=True, help_text="Décoché : le dossier passe directement à l'étape suivante.", verbose_name="validation par l'école")),
                        ("validation_role", models.CharField(choices=[("director", "La direction de l'école"), ("finance", "Un agent financier")], default="director", max_length=20, verbose_name="validé par")),
                        ("corrections_allowed", models.BooleanField(default=True, help_text="L'école peut renvoyer le dossier à la famille pour qu'elle le corrige.", verbose_name="compléments possibles")),
                        ("payment_required", models.BooleanField(default=False, help_text="Le dossier est confirmé une fois le paiement réglé.", verbose_name="paiement")),
                        ("attestation_enabled", models.BooleanField(default=False, help_text="Un dossier confirmé produit une attestation que la famille peut télécharger.", verbose_name="attestation")),
                        ("previous_year_page", models.ForeignKey(blank=True, help_text="Les réinscriptions reprennent les réponses données sur ce formulaire.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="workflows.enrolmentformpage", verbose_name="formulaire de l'année précédente")),
                        ("schools", modelcluster.fields.ParentalManyToManyField(blank=True, help_text="Laisser vide : toutes les écoles.", related_name="+", to="cms.school", verbose_name="écoles concernées")),
                    ],
                    options={
                        "db_table": "cms_enrolmentformpage",
                        "verbose_name": "formulaire de démarche",
                        "verbose_name_plural": "formulaires de démarche",
                    },
                    bases=("wagtailcore.page",),
                ),
            ],
            database_operations=[],
        ),
        migrations.RenameModel(old_name="EnrolmentFormPage", new_name="ProcedurePage"),
        migrations.AlterModelTable(name="ProcedurePage", table=None),
        migrations.RunPython(forwards, backwards),
    ]
