from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import RICH_FEATURES, HelpStreamBlock
from .constants import DirectorEmails, SchoolKind
from .forms import SchoolForm
from .school_year import SCHOOL_YEAR, school_year_of, school_year_start

postal_code_validator = RegexValidator(r"^972\d{2}$", _("Saisissez un code postal de Martinique (972xx)."))
# A school's code is what families receive (« Votre code 3KTUKZ ») and type at
# sign-up. At least one letter, so that a code never reads as a postal code.
school_code_validator = RegexValidator(
    r"^(?=.*[A-Z])[A-Z0-9]{4,12}$",
    _("Le code a de 4 à 12 caractères, lettres majuscules et chiffres, avec au moins une lettre (par exemple 3KTUKZ)."),
)
SCHOOL_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read aloud and typed without doubt


def new_school_code(length: int = 6) -> str:
    """A fresh code for a new school, one nobody has yet (editors may change it)."""
    import secrets

    while True:
        code = "".join(secrets.choice(SCHOOL_CODE_ALPHABET) for _ in range(length))
        if any(c.isalpha() for c in code) and not School.objects.filter(code=code).exists():
            return code


class HomePage(Page):
    """The portal's home page: a welcome text for families and links to the
    help pages. There is one, at the root of the site."""

    intro = RichTextField(
        _("introduction"), features=RICH_FEATURES, blank=True, help_text=_("Le texte d'accueil, en haut de la page.")
    )
    body = StreamField(HelpStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("page d'accueil")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = list(self.get_children().live().public().specific().order_by("path"))
        current, timeless, archives = [], [], []
        this_year = school_year_start(school_year_of())
        for page in children:
            found = SCHOOL_YEAR.search(page.title or "")
            if found is None:
                timeless.append(page)
            elif int(found[1]) >= this_year:
                current.append(page)
            else:
                archives.append(page)
        # This year's procedures and help lead; past years' pages stay, as
        # they were written, under « Années précédentes ».
        context["sections"] = current + timeless
        context["archives"] = archives
        return context


class HelpIndexPage(Page):
    """A set of help pages for one school year, e.g. « Inscriptions 2020 - 2021 ».
    Its sub-pages are listed in order, each as a section."""

    subtitle = models.CharField(
        _("sous-titre"), max_length=255, blank=True, help_text=_("Par exemple : les écoles concernées.")
    )
    intro = RichTextField(_("introduction"), features=RICH_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("subtitle"), FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("subtitle"), index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.HelpPage"]

    # « Préparer l'année suivante » offers itself on a help index.
    school_year_rollover = True

    class Meta:
        verbose_name = _("sommaire d'aide")

    # Its subtitle and intro move with every other text of the page (cms.services).

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.get_children().live().public().specific().order_by("path")
        return context


class HelpPage(Page):
    """One help section for families: how to enrol, open an account, pay…
    Write it with headings, paragraphs, numbered steps and « Attention » boxes."""

    summary = models.CharField(
        _("résumé"), max_length=255, blank=True, help_text=_("Une phrase, affichée dans le sommaire.")
    )
    body = StreamField(HelpStreamBlock(), verbose_name=_("contenu"))

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["cms.HelpIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("page d'aide")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        parent = self.get_parent().specific
        context["index_page"] = parent
        context["siblings"] = parent.get_children().live().public().order_by("path")
        return context


class School(index.Indexed, ClusterableModel):
    """A school (« structure ») that takes children: families pick it by its
    code (« 3KTUKZ »), postal code or commune when they open their account; its
    directors review its dossiers."""

    name = models.CharField(_("nom"), max_length=200)
    code = models.CharField(
        _("code de l'école"), max_length=12, unique=True, default=new_school_code,
        validators=[school_code_validator],
        help_text=_("Le code que reçoivent les familles : saisi à l'ouverture du compte, il trouve cette école. "
                    "De 4 à 12 lettres majuscules et chiffres."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=SchoolKind.choices, default=SchoolKind.ELEMENTAIRE)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5, validators=[postal_code_validator], db_index=True)
    commune = models.CharField(_("commune"), max_length=100)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    validation_delay_days = models.PositiveSmallIntegerField(
        _("délai de validation (jours)"),
        default=7,
        help_text=_("Au-delà, les dossiers en attente de validation sont signalés à la direction."),
    )
    director_emails = models.CharField(
        _("e-mails à la direction"), max_length=10, choices=DirectorEmails.choices, default=DirectorEmails.EACH,
        help_text=_("Un e-mail à chaque dossier déposé, ou un récapitulatif le lendemain matin."),
    )
    directors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("directeurs"),
        blank=True,
        related_name="directed_schools",
        help_text=_("Les personnes qui examinent les dossiers de cette école."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("kind"),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("postal_code"), FieldPanel("commune")], heading=_("Adresse")
        ),
        MultiFieldPanel([FieldPanel("email"), FieldPanel("phone")], heading=_("Contact")),
        FieldPanel("directors"),
        FieldPanel("director_emails"),
        FieldPanel("validation_delay_days"),
        InlinePanel("rules_versions", heading=_("Règlement de l'école"), label=_("Version du règlement")),
    ]
    base_form_class = SchoolForm

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("postal_code"),
        index.SearchField("code"),
        index.SearchField("commune"),
    ]

    class Meta:
        verbose_name = _("école")
        verbose_name_plural = _("écoles")
        ordering = ["commune", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "postal_code"], name="school_unique_name_postal_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune})"

    @property
    def current_rules(self) -> "SchoolRules | None":
        return self.rules_versions.order_by(*SchoolRules.IN_FORCE_ORDER).first()


class SchoolRules(models.Model):
    """One version of a school's rules (« règlement »). Families accept the
    latest version; publishing a new one asks them to accept it again."""

    # The version in force is the first in this order (the latest published).
    IN_FORCE_ORDER = ("-published_at", "-pk")

    school = ParentalKey(School, on_delete=models.CASCADE, related_name="rules_versions")
    version = models.CharField(_("version"), max_length=50, help_text=_("Par exemple : 2026-2027."))
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("document"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("en vigueur depuis"), default=timezone.now)

    panels = [FieldPanel("version"), FieldPanel("document"), FieldPanel("published_at")]

    class Meta:
        verbose_name = _("version du règlement")
        verbose_name_plural = _("versions du règlement")
        ordering = ["-published_at"]
        constraints = [models.UniqueConstraint(fields=["school", "version"], name="school_rules_unique_version")]

    def __str__(self) -> str:
        return f"{self.school.name} — {self.version}"


@register_setting(icon="cog")
class PortalSettings(BaseSiteSetting):
    """Portal-wide settings: which page holds the terms of use families accept."""

    terms_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("conditions générales d'utilisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("La page que les familles acceptent à l'ouverture de leur compte. "
                    "Chaque nouvelle publication de cette page leur sera présentée à nouveau."),
    )

    panels = [FieldPanel("terms_page")]

    class Meta:
        verbose_name = _("réglages du portail")
