# Conditions gain clauses (« toutes » / « au moins une » of several, numbers
# and dates compared): every condition block of every procedure page — on
# its questions, its steps and its stages, and on every revision — is
# rewritten from one « question / condition / valeur » into a list of one
# clause. Dossiers' definitions keep the old shape, which the evaluator
# still reads (forms.conditions.clauses_of).

import json
import uuid

import wagtail.fields
import workflows.blocks
from django.db import migrations


OLD_KEYS = {"field", "operator", "value"}


def _converted(node):
    if isinstance(node, list):
        return [_converted(item) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == OLD_KEYS:
        clauses = []
        if (node.get("field") or "").strip():
            clauses.append({"type": "item", "id": str(uuid.uuid4()), "value": {
                "field": node["field"], "operator": node.get("operator") or "equals",
                "value": node.get("value") or "", "value2": ""}})
        return {"match": "all", "clauses": clauses}
    return {key: _converted(value) for key, value in node.items()}


def forwards(apps, schema_editor):
    ProcedurePage = apps.get_model("workflows", "ProcedurePage")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    table = ProcedurePage._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT page_ptr_id, form, stages FROM {schema_editor.quote_name(table)}")
        rows = cursor.fetchall()
    for pk, form, stages in rows:
        form = json.dumps(_converted(json.loads(form) if isinstance(form, str) else form or []))
        stages = json.dumps(_converted(json.loads(stages) if isinstance(stages, str) else stages or []))
        cast = "::jsonb" if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(f"UPDATE {schema_editor.quote_name(table)} SET form = %s{cast}, stages = %s{cast} "
                              f"WHERE page_ptr_id = %s", [form, stages, pk])
    page_type = ContentType.objects.filter(app_label="workflows", model="procedurepage").first()
    if page_type is None:
        return
    for revision in Revision.objects.filter(content_type_id=page_type.pk).iterator():
        content = dict(revision.content or {})
        for field in ("form", "stages"):
            raw = content.get(field)
            if isinstance(raw, str) and raw:
                content[field] = json.dumps(_converted(json.loads(raw)))
        Revision.objects.filter(pk=revision.pk).update(content=content)


class Migration(migrations.Migration):

    dependencies = [
        ('wagtailcore', '0098_apitoken'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('workflows', '0009_remove_stage_switches'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='procedurepage',
            name='form',
            field=wagtail.fields.StreamField([('step', 43)], block_lookup={0: ('wagtail.blocks.CharBlock', (), {'label': "Titre de l'étape", 'max_length': 255}), 1: ('wagtail.blocks.RichTextBlock', (), {'features': ['bold', 'italic', 'link', 'ol', 'ul'], 'label': 'Introduction', 'required': False}), 2: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('all', 'toutes ces conditions'), ('any', 'au moins une de ces conditions')], 'label': 'Afficher seulement si'}), 3: ('wagtail.blocks.CharBlock', (), {'help_text': 'Une question placée avant (son nom technique ou son libellé).', 'label': 'La question', 'required': False}), 4: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('equals', 'est égale à'), ('not_equals', 'est différente de'), ('filled', 'est renseignée'), ('greater', 'est supérieure à (nombre, date)'), ('less', 'est inférieure à (nombre, date)'), ('between', 'est comprise entre (nombre, date)')], 'label': 'Condition'}), 5: ('wagtail.blocks.CharBlock', (), {'help_text': "Une réponse possible de la question : « Oui », l'un des choix, un nombre, une date.", 'label': 'Valeur', 'required': False}), 6: ('wagtail.blocks.CharBlock', (), {'help_text': 'Pour « est comprise entre » : la seconde borne.', 'label': 'et', 'required': False}), 7: ('wagtail.blocks.StructBlock', [[('field', 3), ('operator', 4), ('value', 5), ('value2', 6)]], {}), 8: ('wagtail.blocks.ListBlock', (7,), {'help_text': 'Aucune : toujours affiché.', 'label': 'Conditions', 'min_num': 0}), 9: ('wagtail.blocks.StructBlock', [[('match', 2), ('clauses', 8)]], {}), 10: ('wagtail.blocks.CharBlock', (), {'label': 'Libellé', 'max_length': 255}), 11: ('wagtail.blocks.CharBlock', (), {'help_text': 'Déduit du libellé si vide. Ne le changez plus une fois les inscriptions ouvertes.', 'label': 'Nom technique', 'max_length': 60, 'required': False}), 12: ('wagtail.blocks.CharBlock', (), {'label': "Texte d'aide", 'max_length': 500, 'required': False}), 13: ('wagtail.blocks.BooleanBlock', (), {'default': True, 'label': 'Obligatoire', 'required': False}), 14: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('child.first_name', "Prénom de l'enfant"), ('child.last_name', "Nom de l'enfant"), ('child.birth_date', "Date de naissance de l'enfant"), ('child.level', "Niveau de l'enfant"), ('guardian.first_name', 'Prénom du responsable connecté'), ('guardian.last_name', 'Nom du responsable connecté'), ('guardian.email', 'E-mail du responsable connecté'), ('family.name', 'Nom de la famille'), ('family.address', 'Adresse de la famille'), ('family.postal_code', 'Code postal de la famille'), ('family.commune', 'Commune de la famille'), ('family.phone', 'Téléphone de la famille'), ('family.phone_alt', 'Autre téléphone de la famille')], 'help_text': 'Une valeur déjà connue de la famille, modifiable par elle.', 'label': 'Pré-remplir avec', 'required': False}), 15: ('wagtail.blocks.StructBlock', [[('label', 10), ('name', 11), ('help_text', 12), ('required', 13), ('prefill', 14), ('condition', 9)]], {}), 16: ('wagtail.blocks.DateBlock', (), {'label': 'Au plus tôt le', 'required': False}), 17: ('wagtail.blocks.DateBlock', (), {'label': 'Au plus tard le', 'required': False}), 18: ('wagtail.blocks.StructBlock', [[('label', 10), ('name', 11), ('help_text', 12), ('required', 13), ('prefill', 14), ('condition', 9), ('min_date', 16), ('max_date', 17)]], {}), 19: ('wagtail.blocks.DecimalBlock', (), {'label': 'Minimum', 'required': False}), 20: ('wagtail.blocks.DecimalBlock', (), {'label': 'Maximum', 'required': False}), 21: ('wagtail.blocks.IntegerBlock', (), {'default': 0, 'label': 'Décimales', 'max_value': 4, 'min_value': 0}), 22: ('wagtail.blocks.StructBlock', [[('label', 10), ('name', 11), ('help_text', 12), ('required', 13), ('prefill', 14), ('condition', 9), ('min_value', 19), ('max_value', 20), ('decimal_places', 21)]], {}), 23: ('wagtail.blocks.TextBlock', (), {'help_text': 'Un choix par ligne.', 'label': 'Choix'}), 24: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('radio', 'Boutons radio'), ('select', 'Liste déroulante')], 'label': 'Présentation'}), 25: ('wagtail.blocks.StructBlock', [[('label', 10), ('name', 11), ('help_text', 12), ('required', 13), ('prefill', 14), ('condition', 9), ('choices', 23), ('widget', 24)]], {}), 26: ('wagtail.blocks.StructBlock', [[('label', 10), ('name', 11), ('help_text', 12), ('required', 13), ('prefill', 14), ('condition', 9), ('choices', 23)]], {}), 27: ('wagtail.blocks.MultipleChoiceBlock', [], {'choices': [('pdf', 'PDF'), ('jpg', 'Image JPEG'), ('png', 'Image PNG')], 'label': 'Types permis'}), 28: ('wagtail.blocks.IntegerBlock', (), {'default': 5, 'label': 'Taille maximale (Mo)', 'max_value': 20, 'min_value': 1}), 29: ('wagtail.blocks.IntegerBlock', (), {'help_text': "Pour une réinscription, le document déposé l'année précédente est repris s'il a moins de mois que cela ; sinon il est redemandé. Vide : il est toujours repris (un acte de naissance, par exemple).", 'label': 'Validité (mois)', 'max_value': 240, 'min_value': 1, 'required': False}), 30: ('wagtail.blocks.StructBlock', [[('label', 10), ('name', 11), ('help_text', 12), ('required', 13), ('prefill', 14), ('condition', 9), ('allowed_types', 27), ('max_size_mb', 28), ('max_age_months', 29)]], {}), 31: ('wagtail.blocks.CharBlock', (), {'label': 'Titre', 'max_length': 255}), 32: ('wagtail.blocks.StructBlock', [[('text', 31), ('condition', 9)]], {}), 33: ('wagtail.blocks.RichTextBlock', (), {'features': ['bold', 'italic', 'link', 'ol', 'ul'], 'label': 'Texte'}), 34: ('wagtail.blocks.StructBlock', [[('text', 33), ('condition', 9)]], {}), 35: ('wagtail.blocks.CharBlock', (), {'label': 'Titre du groupe', 'max_length': 255}), 36: ('wagtail.blocks.CharBlock', (), {'label': 'Nom technique', 'max_length': 60, 'required': False}), 37: ('wagtail.blocks.CharBlock', (), {'default': 'Personne', 'label': "Nom d'un élément", 'max_length': 60}), 38: ('wagtail.blocks.IntegerBlock', (), {'default': 0, 'label': 'Nombre minimum', 'max_value': 20, 'min_value': 0}), 39: ('wagtail.blocks.IntegerBlock', (), {'default': 4, 'label': 'Nombre maximum', 'max_value': 20, 'min_value': 1}), 40: ('wagtail.blocks.StreamBlock', [[('text', 15), ('email', 15), ('phone', 15), ('date', 18), ('number', 22), ('choice', 25), ('yesno', 15), ('postal_code', 15)]], {'label': 'Questions de chaque élément'}), 41: ('wagtail.blocks.StructBlock', [[('label', 35), ('name', 36), ('help_text', 12), ('item_label', 37), ('min_count', 38), ('max_count', 39), ('fields', 40), ('condition', 9)]], {}), 42: ('wagtail.blocks.StreamBlock', [[('text', 15), ('email', 15), ('phone', 15), ('date', 18), ('number', 22), ('choice', 25), ('yesno', 15), ('postal_code', 15), ('textarea', 15), ('multichoice', 26), ('consent', 15), ('file', 30), ('heading', 32), ('paragraph', 34), ('group', 41)]], {'label': 'Questions'}), 43: ('wagtail.blocks.StructBlock', [[('title', 0), ('intro', 1), ('condition', 9), ('fields', 42)]], {})}, verbose_name='formulaire'),
        ),
        migrations.AlterField(
            model_name='procedurepage',
            name='stages',
            field=wagtail.fields.StreamField([('review', 16), ('payment', 19), ('attestation', 23)], blank=True, block_lookup={0: ('wagtail.blocks.CharBlock', (), {'help_text': "Ce que la famille voit, par exemple « Inscription en mairie » ou « Admission par l'école ».", 'label': "Titre de l'étape", 'max_length': 120}), 1: ('wagtail.snippets.blocks.SnippetChooserBlock', ('workflows.ReviewerGroup',), {}), 2: ('wagtail.blocks.ListBlock', (1,), {'help_text': 'Un groupe, ou plusieurs : le dossier va au premier qui le couvre (voir ci-dessous).', 'label': 'Examinée par', 'min_num': 1}), 3: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('school', "Le premier groupe qui couvre l'école du dossier"), ('answer', 'Le premier groupe qui couvre la commune donnée en réponse à une question')], 'label': 'Quel groupe examine le dossier'}), 4: ('wagtail.blocks.CharBlock', (), {'help_text': "Pour « la commune donnée en réponse » : nom ou libellé de la question (l'adresse de la famille, par exemple).", 'label': 'Question qui donne la commune', 'required': False}), 5: ('wagtail.snippets.blocks.SnippetChooserBlock', ('workflows.ReviewerGroup',), {'help_text': "Reçoit les dossiers qu'aucun groupe ne couvre ; la liste des dossiers dit pourquoi.", 'label': 'Sinon, le groupe', 'required': False}), 6: ('wagtail.blocks.MultipleChoiceBlock', [], {'choices': [('validate', 'Valider'), ('refuse', 'Refuser'), ('correct', 'Demander des compléments')], 'label': 'Décisions possibles'}), 7: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('all', 'toutes ces conditions'), ('any', 'au moins une de ces conditions')], 'label': "L'étape a lieu seulement si"}), 8: ('wagtail.blocks.CharBlock', (), {'help_text': 'Une question placée avant (son nom technique ou son libellé).', 'label': 'La question', 'required': False}), 9: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('equals', 'est égale à'), ('not_equals', 'est différente de'), ('filled', 'est renseignée'), ('greater', 'est supérieure à (nombre, date)'), ('less', 'est inférieure à (nombre, date)'), ('between', 'est comprise entre (nombre, date)')], 'label': 'Condition'}), 10: ('wagtail.blocks.CharBlock', (), {'help_text': "Une réponse possible de la question : « Oui », l'un des choix, un nombre, une date.", 'label': 'Valeur', 'required': False}), 11: ('wagtail.blocks.CharBlock', (), {'help_text': 'Pour « est comprise entre » : la seconde borne.', 'label': 'et', 'required': False}), 12: ('wagtail.blocks.StructBlock', [[('field', 8), ('operator', 9), ('value', 10), ('value2', 11)]], {}), 13: ('wagtail.blocks.ListBlock', (12,), {'help_text': "Aucune : l'étape a toujours lieu.", 'label': 'Conditions', 'min_num': 0}), 14: ('wagtail.blocks.StructBlock', [[('match', 7), ('clauses', 13)]], {}), 15: ('wagtail.blocks.IntegerBlock', (), {'help_text': "Au-delà, le dossier est signalé au groupe. Vide : le délai de validation de l'école.", 'label': 'Délai (jours)', 'max_value': 365, 'min_value': 1, 'required': False}), 16: ('wagtail.blocks.StructBlock', [[('title', 0), ('groups', 2), ('routing', 3), ('routing_question', 4), ('fallback', 5), ('decisions', 6), ('condition', 14), ('delay_days', 15)]], {}), 17: ('wagtail.blocks.CharBlock', (), {'default': 'Paiement', 'label': "Titre de l'étape", 'max_length': 120}), 18: ('wagtail.blocks.MultipleChoiceBlock', [], {'choices': workflows.blocks.payment_service_choices, 'help_text': 'Les services que la famille peut régler pour ce dossier, et eux seuls.', 'label': 'Services à payer'}), 19: ('wagtail.blocks.StructBlock', [[('title', 17), ('services', 18), ('condition', 14)]], {}), 20: ('wagtail.blocks.CharBlock', (), {'help_text': "Vide : celui de Paramètres › Attestation d'inscription.", 'label': 'Titre du document', 'max_length': 120, 'required': False}), 21: ('wagtail.blocks.TextBlock', (), {'help_text': "Vide : celui de Paramètres › Attestation d'inscription. Mots remplacés : {enfant}, {date_naissance}, {ecole}, {commune}, {annee_scolaire}, {reference}, {famille}, {date}, {demarche}.", 'label': 'Texte', 'required': False}), 22: ('wagtail.blocks.CharBlock', (), {'label': 'Signature', 'max_length': 200, 'required': False}), 23: ('wagtail.blocks.StructBlock', [[('title', 20), ('body', 21), ('signature', 22)]], {})}, help_text="Dans l'ordre. Sans étape, un dossier déposé est aussitôt confirmé.", verbose_name='étapes du dossier'),
        ),
    ]
