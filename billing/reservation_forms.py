"""The family's forms of reservations, absences and quotient familial."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.formats import date_fr

ADD, CANCEL = "add", "cancel"


class DayForm(forms.Form):
    """One day and what to do with it: the calendar's buttons post one each."""

    day = forms.DateField(input_formats=["%Y-%m-%d"], error_messages={
        "required": _("Choisissez un jour."), "invalid": _("Choisissez un jour du calendrier.")})
    action = forms.ChoiceField(choices=[(ADD, _("Réserver")), (CANCEL, _("Annuler"))], error_messages={
        "required": _("Choisissez de réserver ou d'annuler."),
        "invalid_choice": _("Choisissez de réserver ou d'annuler.")})


class AbsenceForm(forms.Form):
    day = forms.TypedChoiceField(label=_("Jour d'absence"), coerce=dt.date.fromisoformat, error_messages={
        "required": _("Choisissez le jour d'absence."),
        "invalid_choice": _("Choisissez un des jours réservés proposés.")})
    reason = forms.ChoiceField(label=_("Motif"), error_messages={
        "required": _("Choisissez le motif de l'absence."),
        "invalid_choice": _("Choisissez un des motifs proposés.")})
    document = forms.FileField(label=_("Justificatif (PDF, JPEG ou PNG, 5 Mo au plus)"), required=False)

    def __init__(self, *args, days: list[dt.date], reasons: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [("", _("— Choisir un jour —"))] + [(d.isoformat(), date_fr(d)) for d in days]
        self.fields["reason"].choices = [("", _("— Choisir un motif —"))] + [(r, r) for r in reasons]


class QuotientForm(forms.Form):
    value = forms.CharField(label=_("Quotient familial (€)"), max_length=20,
                            help_text=_("Tel qu'il figure sur votre attestation de la CAF, par exemple 650."),
                            error_messages={"required": _("Indiquez votre quotient familial.")})
    document = forms.FileField(label=_("Attestation de quotient familial de la CAF (PDF, JPEG ou PNG, 5 Mo au plus)"),
                               error_messages={"required": _("Joignez l'attestation de la CAF.")})
