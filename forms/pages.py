"""The page that holds a form: what the form builder needs of it.

``AbstractFormPage`` is to our form builder what Wagtail's ``AbstractForm``
is to its own: the opening dates, the schools concerned, the StreamField of
steps and questions, and how families and editors see it. The procedure
that composes it with its stages (``workflows.ProcedurePage``) is the
concrete page; the form builder only ever relies on what is here, so it
never imports the layer above it. ``Submission.page`` points to Wagtail's
``Page``, as Wagtail's own form submissions do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from cms.blocks import RICH_FEATURES

from .blocks import FormStreamBlock
from .definition import definition_from_stream
from .layout import preview_context
from .selectors import form_page_family_rows, school_choices_for


@dataclass(frozen=True)
class Standing:
    """Where a family's dossier stands, as its pages show it: ``label``,
    ``state`` (the CSS modifier ``status--<state>``), and whether the page's
    confirmation text (« l'école l'examine ») still holds."""

    label: str
    state: str
    awaiting_review: bool


def submission_standing(submission) -> Standing:
    """The form builder's own answer: draft or filed."""
    return Standing(str(submission.get_status_display()), submission.status, not submission.is_draft)


class AbstractFormPage(Page):
    intro = RichTextField(
        _("introduction"), features=RICH_FEATURES, blank=True,
        help_text=_("Ce que la démarche permet, qui est concerné, les pièces à préparer."),
    )
    schools = ParentalManyToManyField(
        "cms.School", verbose_name=_("écoles concernées"), blank=True, related_name="+",
        help_text=_("Laisser vide : toutes les écoles."),
    )
    opens_at = models.DateTimeField(
        _("ouverture"), null=True, blank=True, help_text=_("Vide : ouvert dès la publication.")
    )
    closes_at = models.DateTimeField(_("clôture"), null=True, blank=True, help_text=_("Vide : pas de date de fin."))
    before_opening_text = RichTextField(
        _("texte avant l'ouverture"), features=RICH_FEATURES, blank=True,
        help_text=_("Affiché avant l'ouverture, sous la date d'ouverture."),
    )
    after_closing_text = RichTextField(
        _("texte après la clôture"), features=RICH_FEATURES, blank=True,
        help_text=_("Affiché après la clôture : à qui s'adresser pour une inscription tardive, par exemple."),
    )
    form = StreamField(FormStreamBlock(), verbose_name=_("formulaire"))
    confirmation_text = RichTextField(
        _("texte de confirmation"), features=RICH_FEATURES, blank=True,
        help_text=_("Affiché à la famille quand elle dépose un dossier."),
    )
    previous_year_page = models.ForeignKey(
        "self", verbose_name=_("formulaire de l'année précédente"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Les réinscriptions reprennent les réponses données sur ce formulaire."),
    )

    preview_modes = [("form", _("Le formulaire, toutes ses étapes")), ("", _("La page d'accueil du formulaire"))]

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("La clôture doit venir après l'ouverture.")})

    def opening_state(self, now=None) -> str:
        """« open », « not_yet » or « closed »."""
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return "not_yet"
        if self.closes_at and now >= self.closes_at:
            return "closed"
        return "open"

    def is_open(self, now=None) -> bool:
        return self.opening_state(now) == "open"

    def submitted_message(self, submission) -> str:
        """What the family reads once it has filed ``submission``; the page
        that composes the form says what happens next."""
        return _("Dossier déposé. Vous suivez son avancement ici.")

    def submission_standing(self, submission) -> Standing:
        """Where ``submission`` stands. The page that composes the form
        knows what follows a filed dossier (its review, a refusal…) and
        says so by overriding this."""
        return submission_standing(submission)

    def family_notice(self, submission) -> str:
        """What the family should read above the form while it fills
        ``submission`` in (the school's request for a correction, say);
        empty by default. The page that composes the form overrides it."""
        return ""

    def follow_up(self, submission) -> tuple[str, str] | None:
        """``(number, url)`` of what a filed submission became, for the
        family to quote and follow — a page type whose submissions open a
        dossier says so; a plain form has none."""
        return None

    def get_definition(self) -> dict:
        return definition_from_stream(self.form)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["state"] = self.opening_state()
        user = request.user
        family = getattr(user, "family", None) if user.is_authenticated else None
        context["family"] = family
        context["rows"] = form_page_family_rows(page=self, family=family) if family else []
        context["schools"] = school_choices_for(page=self, family=family) if family else []
        return context

    def serve_preview(self, request, mode_name):
        if mode_name != "form":
            return super().serve_preview(request, mode_name)
        context = self.get_context(request)
        context.update(preview_context(page=self))
        return TemplateResponse(request, "forms/preview.html", context)
