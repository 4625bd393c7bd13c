"""Payments of dossiers.

A dossier whose procedure asks for a payment waits until the family has paid
its first month of consumption, or has a validated payment arrangement (a
SEPA mandate checked by a finance agent). The family picks a tariff (the
school's service and its monthly amount), the first month and a mode; what
it then owes is always the tariff's amount, copied when it chose.

``Payment`` rows are the ledger: one per amount actually received (card
confirmed by the provider, cash counted at the desk). Each card payment and
each cash receipt number can be counted once only — the database refuses a
second row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from payments.models import BasePayment
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from files.storage import private_storage, random_name

from . import deadlines
from .constants import ArrangementStatus, DebitStatus, MandateStatus, PaymentMode, SequenceType, Service

school_year_validator = RegexValidator(r"^\d{4}-\d{4}$", _("Écrivez l'année scolaire sous la forme 2026-2027."))


def mandate_upload_to(instance, filename: str) -> str:
    return random_name("mandats", filename, allowed={"pdf", "jpg", "png"}, default="pdf")



class Tariff(models.Model):
    """Le tarif mensuel d'un service (cantine, garderie…) dans une école pour
    une année scolaire. Les familles le voient avant de choisir leur mode de
    paiement ; le montant dû est celui du tarif au moment du choix."""

    school = models.ForeignKey("cms.School", verbose_name=_("école"), on_delete=models.CASCADE,
                               related_name="tariffs")
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    school_year = models.CharField(_("année scolaire"), max_length=9, validators=[school_year_validator],
                                   help_text=_("Par exemple : 2026-2027."))
    monthly_amount = models.DecimalField(_("montant mensuel (€)"), max_digits=8, decimal_places=2,
                                         validators=[MinValueValidator(0.01)])
    description = models.CharField(_("précisions"), max_length=255, blank=True,
                                   help_text=_("Par exemple : « 4 repas par semaine »."))

    panels = [FieldPanel("school"), FieldPanel("service"), FieldPanel("school_year"), FieldPanel("monthly_amount"),
              FieldPanel("description")]

    class Meta:
        verbose_name = _("tarif")
        verbose_name_plural = _("tarifs")
        ordering = ["school__name", "school_year", "service"]
        constraints = [
            models.UniqueConstraint(fields=["school", "service", "school_year"], name="tariff_unique_school_service_year")
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} — {self.school.name} — {self.school_year} : {self.monthly_amount} €"


def validate_creditor_identifier(value: str) -> None:
    """A SEPA creditor identifier (ICS in France): country, two check
    digits (ISO 7064 mod 97-10 over the national part), a business code."""
    from .sepa import creditor_identifier_is_valid

    if not creditor_identifier_is_valid(value):
        raise ValidationError(_("Cet identifiant créancier SEPA (ICS) n'est pas valide, par exemple FR12ZZZ123456."))


@register_setting(icon="tag")
class PaymentSettings(BaseGenericSetting):
    """Les coordonnées du gestionnaire qui encaisse (identifiant créancier SEPA
    imprimé sur les mandats, compte crédité) et où payer en espèces."""

    creditor_name = models.CharField(_("nom du créancier"), max_length=70, default="Gestionnaire de la restauration scolaire")
    creditor_identifier = models.CharField(
        _("identifiant créancier SEPA (ICS)"), max_length=35, blank=True, validators=[validate_creditor_identifier]
    )
    creditor_address = models.CharField(_("adresse du créancier"), max_length=255, blank=True)
    creditor_iban = models.CharField(_("IBAN du compte crédité"), max_length=34, blank=True)
    creditor_bic = models.CharField(_("BIC du compte crédité"), max_length=11, blank=True)
    cash_desk = models.TextField(
        _("où et quand payer en espèces"), blank=True,
        default="À l'espace-parents du gestionnaire, du lundi au vendredi de 8 h à 12 h, muni de l'appoint (monnaie).",
    )

    panels = [
        MultiFieldPanel([FieldPanel("creditor_name"), FieldPanel("creditor_identifier"), FieldPanel("creditor_address"),
                         FieldPanel("creditor_iban"), FieldPanel("creditor_bic")], heading=_("Prélèvement SEPA")),
        FieldPanel("cash_desk"),
    ]

    class Meta:
        verbose_name = _("paiements")

    def clean(self) -> None:
        from .sepa import SepaError, clean_bic, clean_iban

        errors = {}
        self.creditor_identifier = "".join((self.creditor_identifier or "").split()).upper()
        if self.creditor_iban:
            try:
                self.creditor_iban = clean_iban(self.creditor_iban)
            except SepaError as error:
                errors["creditor_iban"] = error.message
        if self.creditor_bic:
            try:
                self.creditor_bic = clean_bic(self.creditor_bic)
            except SepaError as error:
                errors["creditor_bic"] = error.message
        if errors:
            raise ValidationError(errors)


class PaymentArrangement(models.Model):
    """How the family pays a dossier: the tariff, the first month of
    consumption (its due date is computed, never typed) and the mode."""

    dossier = models.OneToOneField("workflows.Dossier", on_delete=models.CASCADE, related_name="payment_arrangement")
    tariff = models.ForeignKey(Tariff, verbose_name=_("tarif"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("montant mensuel (€)"), max_digits=8, decimal_places=2)
    first_month = models.DateField(_("premier mois de consommation"))
    mode = models.CharField(_("mode de paiement"), max_length=10, choices=PaymentMode.choices)
    status = models.CharField(_("état"), max_length=20, choices=ArrangementStatus.choices,
                              default=ArrangementStatus.CHOSEN, db_index=True)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    chosen_at = models.DateTimeField(_("choisi le"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(_("réglé le"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("signalé en retard le"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("règlement choisi")
        verbose_name_plural = _("règlements choisis")

    def __str__(self) -> str:
        return f"{self.dossier.reference} — {self.get_mode_display()}"

    @property
    def due_date(self):
        return deadlines.due_date(self.first_month)


class Mandate(models.Model):
    """A SEPA direct debit mandate (« mandat de prélèvement SEPA »), with its
    unique mandate reference (RUM) and the creditor identifier (ICS) printed
    on it when it was made."""

    dossier = models.ForeignKey("workflows.Dossier", on_delete=models.CASCADE, related_name="mandates")
    reference = models.CharField(_("référence unique du mandat (RUM)"), max_length=35, unique=True)
    creditor_name = models.CharField(_("créancier"), max_length=70)
    creditor_identifier = models.CharField(_("identifiant créancier (ICS)"), max_length=35)
    holder_name = models.CharField(_("titulaire du compte"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    status = models.CharField(_("état"), max_length=20, choices=MandateStatus.choices,
                              default=MandateStatus.AWAITING_SIGNATURE, db_index=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    signed_at = models.DateField(_("signé le"), null=True, blank=True)
    signed_document = models.FileField(_("mandat signé"), storage=private_storage, upload_to=mandate_upload_to,
                                       max_length=255, blank=True)
    validated_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    refusal_reason = models.TextField(_("motif du refus"), blank=True)

    class Meta:
        verbose_name = _("mandat de prélèvement")
        verbose_name_plural = _("mandats de prélèvement")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    @property
    def iban_end(self) -> str:
        return self.iban[-4:]

    @property
    def iban_masked(self) -> str:
        return f"{self.iban[:4]} •••• •••• {self.iban[-4:]}"


class CardPayment(BasePayment):
    """One online card payment, through django-payments. It counts only when
    the provider itself set it to « confirmed » for the expected amount —
    never because the family came back to a success page — and once."""

    dossier = models.ForeignKey("workflows.Dossier", on_delete=models.PROTECT, related_name="card_payments")
    arrangement = models.ForeignKey(PaymentArrangement, on_delete=models.PROTECT, related_name="card_payments")
    counted_at = models.DateTimeField(_("compté le"), null=True, blank=True)
    refusal = models.CharField(_("non compté car"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("paiement par carte")
        verbose_name_plural = _("paiements par carte")

    return_origin = models.CharField(
        _("adresse de retour"), max_length=255, blank=True, default="",
        help_text=_("L'adresse du portail par laquelle la famille a commencé le paiement (sinon SITE_URL)."),
    )

    def _return_url(self) -> str:
        # Back to the address the payer came from (checked against
        # ALLOWED_HOSTS when the payment started): a redirect to another
        # origin would be blocked by the page's form-action 'self'.
        return (self.return_origin or settings.SITE_URL) + reverse("billing:card_return", args=[self.token])

    def get_failure_url(self) -> str:
        return self._return_url()

    def get_success_url(self) -> str:
        return self._return_url()

    def get_purchased_items(self):
        from payments import PurchasedItem

        yield PurchasedItem(name=self.description[:100], quantity=1, price=self.total, currency=self.currency,
                            sku=f"dossier-{self.dossier_id}")


class Payment(models.Model):
    """An amount received for a dossier (« règlement »): the ledger."""

    dossier = models.ForeignKey("workflows.Dossier", on_delete=models.PROTECT, related_name="payments")
    arrangement = models.ForeignKey(PaymentArrangement, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="payments")
    mode = models.CharField(_("mode"), max_length=10, choices=PaymentMode.choices)
    amount = models.DecimalField(_("montant (€)"), max_digits=8, decimal_places=2)
    month = models.DateField(_("mois de consommation"))
    received_at = models.DateTimeField(_("reçu le"))
    on_time = models.BooleanField(_("dans les délais"), default=True)
    receipt_number = models.CharField(_("numéro de reçu"), max_length=40, null=True, blank=True, unique=True)
    card_payment = models.OneToOneField(CardPayment, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="ledger")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("règlement reçu")
        verbose_name_plural = _("règlements reçus")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dossier.reference} — {self.amount} € ({self.get_mode_display()})"


class DirectDebit(models.Model):
    """One month's debit on a validated mandate, as sent in a pain.008 file."""

    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="debits")
    month = models.DateField(_("mois de consommation"))
    amount = models.DecimalField(_("montant (€)"), max_digits=8, decimal_places=2)
    sequence = models.CharField(_("séquence"), max_length=4, choices=SequenceType.choices)
    collection_date = models.DateField(_("date d'échéance"))
    end_to_end_id = models.CharField(max_length=35, unique=True)
    status = models.CharField(_("état"), max_length=10, choices=DebitStatus.choices, default=DebitStatus.EXPORTED)
    exported_at = models.DateTimeField(_("exporté le"), auto_now_add=True)
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    rejected_at = models.DateTimeField(_("rejeté le"), null=True, blank=True)
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    rejection_reason = models.CharField(_("motif du rejet"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("prélèvement")
        verbose_name_plural = _("prélèvements")
        ordering = ["-month", "mandate__reference"]
        constraints = [models.UniqueConstraint(fields=["mandate", "month"], name="debit_unique_mandate_month")]

    def __str__(self) -> str:
        return f"{self.mandate.reference} — {self.month:%m/%Y}"
