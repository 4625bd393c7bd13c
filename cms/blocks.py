"""StreamField blocks for help pages: enough to write the seed help page
faithfully (headings, rich text, numbered steps, "Attention" callouts, links),
and the « Installer l'application » block that replaces its store links."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

RICH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Texte"))
    level = blocks.ChoiceBlock(
        label=_("Niveau"),
        choices=[("h2", _("Titre de section")), ("h3", _("Sous-titre"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Titre")
        template = "cms/blocks/heading.html"


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre de l'étape"), required=False)
    body = blocks.RichTextBlock(label=_("Texte"), features=RICH_FEATURES, required=False)


class StepsBlock(blocks.StructBlock):
    start = blocks.IntegerBlock(
        label=_("Numéro de la première étape"),
        default=1,
        min_value=1,
        help_text=_("Pour reprendre une liste après un encadré, indiquez le numéro suivant."),
    )
    steps = blocks.ListBlock(StepBlock(), label=_("Étapes"))

    class Meta:
        icon = "list-ol"
        label = _("Étapes numérotées")
        template = "cms/blocks/steps.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("Type"),
        choices=[("attention", _("Attention")), ("info", _("Information")), ("important", _("Important"))],
        default="attention",
    )
    title = blocks.CharBlock(label=_("Titre"), required=False)
    body = blocks.RichTextBlock(label=_("Texte"), features=RICH_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Encadré")
        template = "cms/blocks/callout.html"


class LinkBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Texte du lien"), default=_("Pour plus d'infos"))
    page = blocks.PageChooserBlock(label=_("Page du site"), required=False)
    url = blocks.URLBlock(label=_("Ou adresse externe"), required=False)

    class Meta:
        icon = "link"
        label = _("Lien « Pour plus d'infos »")
        template = "cms/blocks/link.html"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"url": ValidationError(_("Choisissez une page ou saisissez une adresse."))}
            )
        return value


class InstallAppBlock(blocks.StructBlock):
    """« Installer l'application » : le portail s'installe sur le téléphone
    comme une application, sans passer par un store. Sur Android (Chrome,
    Edge, Samsung Internet), le bloc affiche un bouton qui ouvre la fenêtre
    d'installation du navigateur ; sur iPhone et iPad, les deux gestes
    « Partager → Sur l'écran d'accueil » ; l'application déjà installée, il
    le dit. Placez-le à l'endroit où vous expliquez comment commencer."""

    title = blocks.CharBlock(label=_("Titre"), default=_("Installez l'application mobile"))
    intro = blocks.RichTextBlock(
        label=_("Texte d'introduction"),
        features=RICH_FEATURES,
        required=False,
        help_text=_("Facultatif. Le bouton et les instructions pour chaque téléphone sont ajoutés par le portail."),
    )

    class Meta:
        icon = "mobile-alt"
        label = _("Installer l'application")
        template = "cms/blocks/install_app.html"


class HelpStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraphe"), features=RICH_FEATURES, icon="pilcrow", template="cms/blocks/paragraph.html"
    )
    steps = StepsBlock()
    callout = CalloutBlock()
    link = LinkBlock()
    install_app = InstallAppBlock()
