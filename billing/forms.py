from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from . import deadlines, selectors
from .constants import PaymentMode


def month_label(month: dt.date) -> str:
    return "%s — %s %s" % (
        formats.date_format(month, "F Y").capitalize(),
        _("à régler au plus tard le"),
        formats.date_format(deadlines.due_date(month), "j F Y"),
    )


class ChooseForm(forms.Form):
    tariff = forms.ModelChoiceField(
        label=_("Service"), queryset=None, widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": _("Choisissez le service."),
                        "invalid_choice": _("Choisissez un des services proposés.")},
    )
    first_month = forms.ChoiceField(
        label=_("Premier mois de consommation"),
        error_messages={"required": _("Choisissez le premier mois."),
                        "invalid_choice": _("Choisissez un des mois proposés.")},
    )
    mode = forms.ChoiceField(
        label=_("Mode de paiement"), widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez un mode de paiement."),
                        "invalid_choice": _("Choisissez un des modes proposés.")},
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tariff"].queryset = selectors.tariffs_for(dossier=dossier)
        self.fields["tariff"].label_from_instance = lambda t: "%s — %s € %s%s" % (
            t.get_service_display(), formats.number_format(t.monthly_amount, 2), _("par mois"),
            f" ({t.description})" if t.description else "")
        self.fields["first_month"].choices = [
            (m.isoformat(), month_label(m)) for m in selectors.first_month_choices(dossier=dossier)
        ]
        modes = [(PaymentMode.SEPA, PaymentMode.SEPA.label), (PaymentMode.CARD, PaymentMode.CARD.label),
                 (PaymentMode.CASH, PaymentMode.CASH.label)]
        if not selectors.card_enabled():
            modes = [m for m in modes if m[0] != PaymentMode.CARD]
        self.fields["mode"].choices = modes

    def clean_first_month(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["first_month"])


class MandateForm(forms.Form):
    """The account to debit, asked once the family chose the direct debit:
    the three fields are required for that mode (the service checks the
    IBAN and BIC themselves and says what is wrong next to each)."""

    holder_name = forms.CharField(
        label=_("Titulaire du compte"), max_length=200, help_text=_("Tel qu'il figure sur votre RIB."),
        error_messages={"required": _("Indiquez le nom du titulaire du compte, tel qu'il figure sur le RIB.")},
    )
    iban = forms.CharField(
        label=_("IBAN"), max_length=60, help_text=_("Par exemple FR76 3000 6000 0112 3456 7890 189."),
        error_messages={"required": _("Saisissez l'IBAN du compte à débiter.")},
    )
    bic = forms.CharField(
        label=_("BIC"), max_length=20, help_text=_("8 ou 11 caractères, sur votre RIB."),
        error_messages={"required": _(
            "Saisissez le BIC de votre banque (8 ou 11 caractères, il figure sur votre RIB).")},
    )


class SignedMandateForm(forms.Form):
    document = forms.FileField(
        label=_("Mandat signé (PDF, JPEG ou PNG, 5 Mo au plus)"),
        error_messages={"required": _("Joignez le mandat signé (PDF, JPEG ou PNG).")},
    )


class CashForm(forms.Form):
    amount = forms.CharField(label=_("Montant reçu (€)"), max_length=20,
                             error_messages={"required": _("Indiquez le montant reçu.")})
    receipt_number = forms.CharField(label=_("Numéro du reçu"), max_length=40,
                                     error_messages={"required": _("Indiquez le numéro du reçu remis à la famille.")})


class BillCashForm(CashForm):
    number = forms.CharField(label=_("Numéro de la facture"), max_length=20,
                             help_text=_("La référence imprimée sur la facture, par exemple F2027-000123."),
                             error_messages={"required": _("Indiquez le numéro de la facture.")})
    field_order = ["number", "amount", "receipt_number"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=255,
                             error_messages={"required": _("Indiquez le motif.")})


class ExportForm(forms.Form):
    month = forms.DateField(
        label=_("Mois de consommation"), input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"required": _("Choisissez le mois."), "invalid": _("Choisissez un mois (AAAA-MM).")},
    )
