"""The procedure (« démarche »): the page editors build in Wagtail — the
form families fill in (the form builder's ``AbstractFormPage``) and the
stages its dossiers go through. Nothing below this app imports it."""

from __future__ import annotations

import datetime as dt
from copy import deepcopy

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from cms.school_year import plus_one_year
from forms.pages import AbstractFormPage

from ..constants import ValidationRole

# Keys of the form's questions that hold a date bound: they move with the year.
DATE_KEYS = {"min_date", "max_date"}


class ProcedurePage(AbstractFormPage):
    """A procedure families file one dossier per child for: the enrolment
    for a school year, the canteen, after-school care…

    Build its form in « Formulaire » with steps and questions; each question
    can be pre-filled from the family's profile and shown only when an
    earlier answer says so. Families can fill it in only between the
    opening and closing dates; outside them, the page shows the texts
    below. « Étapes du dossier » says what happens to a dossier once it is
    filed."""

    # The stages the dossiers of this procedure go through (read by the
    # workflow when a dossier is submitted, and kept on the dossier).
    validation_required = models.BooleanField(
        _("validation par l'école"), default=True,
        help_text=_("Décoché : le dossier passe directement à l'étape suivante."),
    )
    validation_role = models.CharField(
        _("validé par"), max_length=20, choices=ValidationRole.choices, default=ValidationRole.DIRECTOR
    )
    corrections_allowed = models.BooleanField(
        _("compléments possibles"), default=True,
        help_text=_("L'école peut renvoyer le dossier à la famille pour qu'elle le corrige."),
    )
    payment_required = models.BooleanField(
        _("paiement"), default=False, help_text=_("Le dossier est confirmé une fois le paiement réglé.")
    )
    attestation_enabled = models.BooleanField(
        _("attestation"), default=False,
        help_text=_("Un dossier confirmé produit une attestation que la famille peut télécharger."),
    )

    content_panels = AbstractFormPage.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("opens_at"), FieldPanel("closes_at"), FieldPanel("before_opening_text"),
             FieldPanel("after_closing_text")],
            heading=_("Dates d'ouverture"),
        ),
        FieldPanel("schools"),
        FieldPanel("form"),
        FieldPanel("confirmation_text"),
        MultiFieldPanel(
            [FieldPanel("validation_required"), FieldPanel("validation_role"), FieldPanel("corrections_allowed"),
             FieldPanel("payment_required"), FieldPanel("attestation_enabled")],
            heading=_("Étapes du dossier"),
        ),
        FieldPanel("previous_year_page"),
    ]
    search_fields = AbstractFormPage.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage", "cms.HelpIndexPage"]
    subpage_types = []

    # « Préparer l'année suivante » (cms) offers itself on this page.
    school_year_rollover = True

    class Meta:
        verbose_name = _("formulaire de démarche")
        verbose_name_plural = _("formulaires de démarche")

    def prepare_next_school_year(self, *, previous) -> None:
        """Called by « Préparer l'année suivante » on next year's copy: the
        dates move a year on, so do the date bounds of the questions, and
        re-enrolments read the answers given on ``previous``."""
        self.opens_at = plus_one_year(self.opens_at) if self.opens_at else None
        self.closes_at = plus_one_year(self.closes_at) if self.closes_at else None
        self.form = _shift_form_dates(deepcopy(list(self.form.raw_data)))
        self.previous_year_page = previous if isinstance(previous, ProcedurePage) else None


def _shift_form_dates(value):
    """Date bounds of the form's questions (a birth date that fits the
    level…) move with the year."""
    if isinstance(value, dict):
        shifted = {}
        for key, item in value.items():
            if key in DATE_KEYS and isinstance(item, str) and item:
                try:
                    shifted[key] = plus_one_year(dt.date.fromisoformat(item)).isoformat()
                    continue
                except ValueError:
                    pass
            shifted[key] = _shift_form_dates(item)
        return shifted
    if isinstance(value, list):
        return [_shift_form_dates(item) for item in value]
    return value
