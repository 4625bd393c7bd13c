"""The blocks editors build a form with, in the Wagtail admin.

A form is a StreamField of *steps*; each step holds questions, headings,
help paragraphs and repeated groups. Each question has a label, a help
text, « obligatoire », an optional prefill from the family's profile and an
optional condition « afficher seulement si … ». The page compiles these
blocks into a plain definition (``forms.definition``) that dossiers keep.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from django.forms.utils import ErrorList
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError

from files.constants import MAX_FILE_SIZE_MB, FileKind

from .constants import ChoiceWidget, ConditionMatch, ConditionOperator, Prefill
from .definition import definition_from_stream, definition_problems_by_step

RICH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class ClauseBlock(blocks.StructBlock):
    """One clause: a question placed before, how its answer compares, and
    the value (two for « comprise entre »). The page editor offers the
    questions and their answers to pick from (``forms/static/forms/condition-picker.js``)."""

    field = blocks.CharBlock(
        label=_("La question"), required=False,
        help_text=_("Choisissez une question placée avant (pour une étape : une question du formulaire)."),
    )
    operator = blocks.ChoiceBlock(
        label=_("Condition"), choices=ConditionOperator.choices, default=ConditionOperator.EQUALS
    )
    value = blocks.CharBlock(
        label=_("Valeur"), required=False,
        help_text=_("Pour un oui/non ou un choix, choisissez l'une de ses réponses ; sinon un nombre (3,5) "
                    "ou une date (14/03/2023)."),
    )
    value2 = blocks.CharBlock(
        label=_("et"), required=False, help_text=_("Pour « est comprise entre » : la seconde borne."),
    )

    class Meta:
        label = _("Condition")
        form_classname = "struct-block condition-clause"


class ConditionBlock(blocks.StructBlock):
    match = blocks.ChoiceBlock(
        label=_("Afficher seulement si"), choices=ConditionMatch.choices, default=ConditionMatch.ALL
    )
    clauses = blocks.ListBlock(
        ClauseBlock(), label=_("Conditions"), min_num=0,
        help_text=_("Aucune : toujours affiché."),
    )

    class Meta:
        label = _("Condition d'affichage")
        form_classname = "struct-block condition-block"
        collapsed = True


class BaseFieldBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Libellé"), max_length=255)
    name = blocks.CharBlock(
        label=_("Nom technique"),
        required=False,
        max_length=60,
        help_text=_("Déduit du libellé au premier enregistrement, puis fixe : changer le libellé ne le change "
                    "pas. Les réponses, l'export et la réinscription l'utilisent."),
    )
    help_text = blocks.CharBlock(label=_("Texte d'aide"), required=False, max_length=500)
    required = blocks.BooleanBlock(label=_("Obligatoire"), required=False, default=True)
    prefill = blocks.ChoiceBlock(
        label=_("Pré-remplir avec"), choices=Prefill.choices, required=False,
        help_text=_("Une valeur déjà connue de la famille, modifiable par elle."),
    )
    condition = ConditionBlock()

    class Meta:
        icon = "form"


class TextFieldBlock(BaseFieldBlock):
    class Meta:
        label = _("Texte court")
        icon = "pilcrow"


class TextareaFieldBlock(BaseFieldBlock):
    class Meta:
        label = _("Texte long")
        icon = "pilcrow"


class EmailFieldBlock(BaseFieldBlock):
    class Meta:
        label = _("Adresse e-mail")
        icon = "mail"


class PhoneFieldBlock(BaseFieldBlock):
    class Meta:
        label = _("Téléphone (France)")
        icon = "mobile-alt"


class PostalCodeFieldBlock(BaseFieldBlock):
    class Meta:
        label = _("Code postal")
        icon = "site"


class DateFieldBlock(BaseFieldBlock):
    min_date = blocks.DateBlock(label=_("Au plus tôt le"), required=False)
    max_date = blocks.DateBlock(label=_("Au plus tard le"), required=False)

    class Meta:
        label = _("Date")
        icon = "date"


class NumberFieldBlock(BaseFieldBlock):
    min_value = blocks.DecimalBlock(label=_("Minimum"), required=False)
    max_value = blocks.DecimalBlock(label=_("Maximum"), required=False)
    decimal_places = blocks.IntegerBlock(label=_("Décimales"), default=0, min_value=0, max_value=4)

    class Meta:
        label = _("Nombre")
        icon = "order"


class ChoiceFieldBlock(BaseFieldBlock):
    choices = blocks.TextBlock(label=_("Choix"), help_text=_("Un choix par ligne."))
    widget = blocks.ChoiceBlock(label=_("Présentation"), choices=ChoiceWidget.choices, default=ChoiceWidget.RADIO)

    class Meta:
        label = _("Choix unique")
        icon = "radio-full"


class MultiChoiceFieldBlock(BaseFieldBlock):
    choices = blocks.TextBlock(label=_("Choix"), help_text=_("Un choix par ligne."))

    class Meta:
        label = _("Choix multiple")
        icon = "tick-inverse"


class YesNoFieldBlock(BaseFieldBlock):
    class Meta:
        label = _("Oui / non")
        icon = "radio-full"


class ConsentFieldBlock(BaseFieldBlock):
    class Meta:
        label = _("Case à cocher d'accord")
        icon = "tick"


class FileFieldBlock(BaseFieldBlock):
    allowed_types = blocks.MultipleChoiceBlock(
        label=_("Types permis"), choices=FileKind.choices, default=[FileKind.PDF, FileKind.JPEG, FileKind.PNG]
    )
    max_size_mb = blocks.IntegerBlock(
        label=_("Taille maximale (Mo)"), default=5, min_value=1, max_value=MAX_FILE_SIZE_MB
    )
    max_age_months = blocks.IntegerBlock(
        label=_("Validité (mois)"), required=False, min_value=1, max_value=240,
        help_text=_("Pour une réinscription, le document déposé l'année précédente est repris s'il a moins "
                    "de mois que cela ; sinon il est redemandé. Vide : il est toujours repris "
                    "(un acte de naissance, par exemple)."),
    )

    class Meta:
        label = _("Document à joindre")
        icon = "doc-full"


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Titre"), max_length=255)
    condition = ConditionBlock()

    class Meta:
        label = _("Titre de partie")
        icon = "title"


class ParagraphBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(label=_("Texte"), features=RICH_FEATURES)
    condition = ConditionBlock()

    class Meta:
        label = _("Paragraphe d'aide")
        icon = "help"


def _simple_fields() -> list[tuple[str, blocks.Block]]:
    return [
        ("text", TextFieldBlock()),
        ("email", EmailFieldBlock()),
        ("phone", PhoneFieldBlock()),
        ("date", DateFieldBlock()),
        ("number", NumberFieldBlock()),
        ("choice", ChoiceFieldBlock()),
        ("yesno", YesNoFieldBlock()),
        ("postal_code", PostalCodeFieldBlock()),
    ]


class GroupBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Titre du groupe"), max_length=255)
    name = blocks.CharBlock(label=_("Nom technique"), required=False, max_length=60)
    help_text = blocks.CharBlock(label=_("Texte d'aide"), required=False, max_length=500)
    item_label = blocks.CharBlock(label=_("Nom d'un élément"), default=_("Personne"), max_length=60)
    min_count = blocks.IntegerBlock(label=_("Nombre minimum"), default=0, min_value=0, max_value=20)
    max_count = blocks.IntegerBlock(label=_("Nombre maximum"), default=4, min_value=1, max_value=20)
    fields = blocks.StreamBlock(_simple_fields(), label=_("Questions de chaque élément"))
    condition = ConditionBlock()

    class Meta:
        label = _("Groupe répété")
        icon = "group"


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre de l'étape"), max_length=255)
    intro = blocks.RichTextBlock(label=_("Introduction"), features=RICH_FEATURES, required=False)
    condition = ConditionBlock()
    fields = blocks.StreamBlock(
        [
            *_simple_fields(),
            ("textarea", TextareaFieldBlock()),
            ("multichoice", MultiChoiceFieldBlock()),
            ("consent", ConsentFieldBlock()),
            ("file", FileFieldBlock()),
            ("heading", HeadingBlock()),
            ("paragraph", ParagraphBlock()),
            ("group", GroupBlock()),
        ],
        label=_("Questions"),
    )

    class Meta:
        label = _("Étape")
        icon = "list-ol"


class FormStreamBlock(blocks.StreamBlock):
    step = StepBlock()

    # No ``min_num``: Wagtail's editor would show « Le nombre minimum
    # d'éléments est 1 » on a new, empty page before anything was typed. An
    # empty form is refused on save, by ``clean`` (« Ajoutez au moins une étape »).

    def clean(self, value):
        """Each problem of the form next to the step it is in."""
        if len(value):
            # Empty, Wagtail's own check would only say « Ce champ est obligatoire ».
            value = super().clean(value)
        problems = definition_problems_by_step(definition_from_stream(value))
        if problems:
            raise StreamBlockValidationError(
                block_errors={index: StructBlockValidationError(non_block_errors=ErrorList(messages))
                              for index, messages in problems.items() if index is not None},
                non_block_errors=ErrorList(problems.get(None, [])),
            )
        return value
