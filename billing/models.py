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

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import formats
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from payments.models import BasePayment
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.models import Orderable

from files.storage import private_storage, random_name

from . import deadlines
from .constants import (
    ArrangementStatus,
    BillStatus,
    DebitStatus,
    MandateStatus,
    PaymentMode,
    QuotientStatus,
    ReservationKind,
    RevocationReason,
    SequenceType,
    Service,
    ServiceUnit,
)

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


class ProcedureService(ClusterableModel):
    """Un service auquel un dossier confirmé d'une démarche donne accès pour
    une année scolaire (cantine, garderie du matin ou du soir, étude…), avec
    son unité (par repas, par séance, par mois) et son prix : un prix unique,
    ou un prix par tranche de quotient familial (trois tranches au moins).

    Les réponses du formulaire choisissent le service et les jours : nommez
    la question liée (son nom technique). Un choix multiple de jours
    (« Lundi », « Mardi »…) réserve ces jours-là parmi les jours de classe ;
    une réponse « oui » réserve tous les jours de classe. Sans question liée,
    tout dossier confirmé de la démarche en bénéficie."""

    procedure = models.ForeignKey("workflows.ProcedurePage", verbose_name=_("démarche"), on_delete=models.CASCADE,
                                  related_name="billing_services")
    school_year = models.CharField(_("année scolaire"), max_length=9, validators=[school_year_validator],
                                   help_text=_("Par exemple : 2026-2027."))
    school = models.ForeignKey("cms.School", verbose_name=_("école"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+",
                               help_text=_("Laisser vide : toutes les écoles de la démarche."))
    kind = models.CharField(_("type de service"), max_length=20, choices=Service.choices)
    name = models.CharField(_("intitulé"), max_length=100, help_text=_("Par exemple : « Garderie du soir »."))
    unit = models.CharField(_("unité"), max_length=10, choices=ServiceUnit.choices)
    price = models.DecimalField(
        _("prix unitaire (€)"), max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Laisser vide pour un prix selon le quotient familial (les tranches ci-dessous)."),
    )
    question = models.CharField(
        _("question liée"), max_length=100, blank=True,
        help_text=_("Nom technique de la question du formulaire qui choisit ce service : un choix multiple de "
                    "jours (lundi, mardi…) ou une question oui/non. Vide : tout dossier confirmé en bénéficie."),
    )
    absence_reasons = models.TextField(
        _("absences remboursées"), blank=True,
        help_text=_("Un motif par ligne, par exemple « Maladie avec certificat médical ». Une absence "
                    "déclarée pour l'un de ces motifs, un jour réservé d'un mois verrouillé, est déduite de la "
                    "facture suivante. Vide : aucune absence n'est remboursée."),
    )
    # A flat monthly tariff of before services, carried forward by migration
    # 0005: it applies only to the dossiers whose family chose that tariff.
    tariff = models.ForeignKey(Tariff, verbose_name=_("ancien tarif"), null=True, blank=True, editable=False,
                               on_delete=models.SET_NULL, related_name="+")

    panels = [
        FieldPanel("procedure"),
        FieldRowPanel([FieldPanel("school_year"), FieldPanel("school")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("name")]),
        FieldRowPanel([FieldPanel("unit"), FieldPanel("price")]),
        InlinePanel("brackets", heading=_("Prix par tranche de quotient familial"), label=_("Tranche"),
                    help_text=_("Trois tranches au moins, la première à partir de 0 €, et une tranche par défaut "
                                "(appliquée tant que le quotient de la famille n'est pas validé).")),
        FieldPanel("question"),
        FieldPanel("absence_reasons"),
    ]

    class Meta:
        verbose_name = _("service de la démarche")
        verbose_name_plural = _("services des démarches")
        ordering = ["school_year", "procedure__title", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} — {self.school_year} ({self.get_unit_display()})"

    @property
    def allowed_absence_reasons(self) -> list[str]:
        return [line.strip() for line in self.absence_reasons.splitlines() if line.strip()]


class QuotientBracket(Orderable):
    """Une tranche de quotient familial d'un service : le prix payé par les
    familles dont le quotient est au moins celui indiqué (et inférieur à
    celui de la tranche suivante)."""

    service = ParentalKey(ProcedureService, on_delete=models.CASCADE, related_name="brackets")
    qf_from = models.DecimalField(_("quotient familial à partir de (€)"), max_digits=8, decimal_places=2,
                                  validators=[MinValueValidator(0)])
    price = models.DecimalField(_("prix unitaire (€)"), max_digits=8, decimal_places=2,
                                validators=[MinValueValidator(0)])
    is_default = models.BooleanField(_("tranche par défaut"), default=False,
                                     help_text=_("Appliquée tant que le quotient familial n'est pas validé."))

    panels = [FieldRowPanel([FieldPanel("qf_from"), FieldPanel("price"), FieldPanel("is_default")])]

    class Meta(Orderable.Meta):
        verbose_name = _("tranche de quotient familial")
        verbose_name_plural = _("tranches de quotient familial")
        constraints = [models.UniqueConstraint(fields=["service", "qf_from"], name="bracket_unique_service_qf")]

    def __str__(self) -> str:
        return f"QF ≥ {self.qf_from} : {self.price} €"


class SchoolCalendar(ClusterableModel):
    """Le calendrier d'une année scolaire : premier et dernier jour de classe,
    les jours de la semaine où il y a classe, les vacances de l'académie de
    Martinique et les jours sans classe (pont, journée pédagogique…). Les
    jours fériés de la Martinique (22 mai compris) sont retirés d'office."""

    school_year = models.CharField(_("année scolaire"), max_length=9, unique=True,
                                   validators=[school_year_validator], help_text=_("Par exemple : 2026-2027."))
    first_day = models.DateField(_("premier jour de classe"))
    last_day = models.DateField(_("dernier jour de classe"))
    monday = models.BooleanField(_("lundi"), default=True)
    tuesday = models.BooleanField(_("mardi"), default=True)
    wednesday = models.BooleanField(_("mercredi"), default=False)
    thursday = models.BooleanField(_("jeudi"), default=True)
    friday = models.BooleanField(_("vendredi"), default=True)
    saturday = models.BooleanField(_("samedi"), default=False)

    panels = [
        FieldPanel("school_year"),
        FieldRowPanel([FieldPanel("first_day"), FieldPanel("last_day")]),
        MultiFieldPanel([FieldRowPanel([FieldPanel(day) for day in ("monday", "tuesday", "wednesday")]),
                         FieldRowPanel([FieldPanel(day) for day in ("thursday", "friday", "saturday")])],
                        heading=_("Jours de classe dans la semaine")),
        InlinePanel("closures", heading=_("Vacances et jours sans classe"), label=_("Période sans classe"),
                    help_text=_("Les vacances de l'académie et les jours sans classe ; un seul jour : laissez "
                                "la fin vide.")),
    ]

    class Meta:
        verbose_name = _("calendrier scolaire")
        verbose_name_plural = _("calendriers scolaires")
        ordering = ["-school_year"]

    def __str__(self) -> str:
        return str(_("Calendrier %(year)s") % {"year": self.school_year})

    @property
    def weekdays(self) -> set[int]:
        """The days of the week with school (Monday is 0)."""
        flags = (self.monday, self.tuesday, self.wednesday, self.thursday, self.friday, self.saturday)
        return {index for index, on in enumerate(flags) if on}

    def clean(self) -> None:
        from cms.school_year import school_year_end, school_year_start

        errors = {}
        if self.first_day and self.last_day and self.last_day < self.first_day:
            errors["last_day"] = _("Le dernier jour de classe vient après le premier.")
        if self.school_year and not errors.get("school_year"):
            try:
                start = dt.date(school_year_start(self.school_year), 8, 1)
                end = school_year_end(self.school_year)
            except ValueError:
                start = end = None
            if start and self.first_day and not start <= self.first_day <= end:
                errors["first_day"] = _("Ce jour n'est pas dans l'année scolaire %(year)s.") % {
                    "year": self.school_year}
            if start and self.last_day and not start <= self.last_day <= end:
                errors["last_day"] = _("Ce jour n'est pas dans l'année scolaire %(year)s.") % {
                    "year": self.school_year}
        if not any((self.monday, self.tuesday, self.wednesday, self.thursday, self.friday, self.saturday)):
            errors["monday"] = _("Cochez au moins un jour de classe dans la semaine.")
        if errors:
            raise ValidationError(errors)


class CalendarClosure(Orderable):
    """Des vacances ou un jour sans classe."""

    calendar = ParentalKey(SchoolCalendar, on_delete=models.CASCADE, related_name="closures")
    label = models.CharField(_("intitulé"), max_length=100, help_text=_("Par exemple : « Vacances de Carnaval »."))
    first_day = models.DateField(_("du"))
    last_day = models.DateField(_("au (inclus)"), null=True, blank=True)

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("first_day"), FieldPanel("last_day")])]

    class Meta(Orderable.Meta):
        verbose_name = _("période sans classe")
        verbose_name_plural = _("périodes sans classe")

    def __str__(self) -> str:
        return self.label

    @property
    def end(self) -> dt.date:
        return self.last_day or self.first_day

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("La fin de la période vient après son début.")})


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
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True, db_index=True)
    revocation_reason = models.CharField(_("motif de la révocation"), max_length=20, blank=True,
                                         choices=RevocationReason.choices)
    # Set when the holder's name, the IBAN, the BIC and the signed file were
    # erased: the reference and the dates stay for the creditor's books.
    erased_at = models.DateTimeField(_("coordonnées effacées le"), null=True, blank=True)

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
        if not self.iban:
            return "—"  # erased
        return f"{self.iban[:4]} •••• •••• {self.iban[-4:]}"


class CardPayment(BasePayment):
    """One online card payment, through django-payments. It counts only when
    the provider itself set it to « confirmed » for the expected amount —
    never because the family came back to a success page — and once."""

    # A card payment pays either a dossier's first month at the payment
    # stage (its arrangement) or one family bill.
    dossier = models.ForeignKey("workflows.Dossier", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="card_payments")
    arrangement = models.ForeignKey(PaymentArrangement, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="card_payments")
    bill = models.ForeignKey("Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="card_payments")
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
                            sku=f"facture-{self.bill_id}" if self.bill_id else f"dossier-{self.dossier_id}")


class Payment(models.Model):
    """An amount received (« règlement »): the ledger. For a dossier's first
    month at the payment stage (``dossier``), or for a family's bill
    (``bill``)."""

    dossier = models.ForeignKey("workflows.Dossier", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="payments")
    bill = models.ForeignKey("Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
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
        subject = self.bill.number if self.bill_id else self.dossier.reference
        return f"{subject} — {self.amount} € ({self.get_mode_display()})"


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
    # The family bill this debit pays (none: a flat monthly tariff's debit).
    bill = models.ForeignKey("Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="debits")

    class Meta:
        verbose_name = _("prélèvement")
        verbose_name_plural = _("prélèvements")
        ordering = ["-month", "mandate__reference"]
        constraints = [models.UniqueConstraint(fields=["mandate", "month"], name="debit_unique_mandate_month")]

    def __str__(self) -> str:
        return f"{self.mandate.reference} — {self.month:%m/%Y}"


class BillSequence(models.Model):
    """The last bill number given in a year: bill numbers follow each other
    with no gap, so they are taken from this row under a lock, never
    computed from the bills already there."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class Bill(models.Model):
    """Une facture : ce qu'une famille doit pour un mois de consommation
    (tous ses enfants, tous leurs services, les jours, les prix unitaires,
    les avoirs), à régler au plus tard le 20 du mois précédent. Le montant
    est calculé par le portail, jamais saisi."""

    family = models.ForeignKey("accounts.Family", verbose_name=_("famille"), on_delete=models.PROTECT,
                               related_name="bills")
    month = models.DateField(_("mois de consommation"))
    number = models.CharField(_("numéro"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("émise le"))
    due_date = models.DateField(_("à régler au plus tard le"))
    total = models.DecimalField(_("total (€)"), max_digits=10, decimal_places=2)
    quotient = models.DecimalField(_("quotient familial appliqué"), max_digits=8, decimal_places=2, null=True,
                                   blank=True)
    status = models.CharField(_("état"), max_length=10, choices=BillStatus.choices, default=BillStatus.TO_PAY,
                              db_index=True)
    paid_at = models.DateTimeField(_("payée le"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("signalée en retard le"), null=True, blank=True)
    # A second payment of a paid bill (a card and a cash payment the same
    # month…) is kept aside here, to refund.
    to_refund = models.DecimalField(_("à rembourser (€)"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["-month", "number"]
        constraints = [
            models.UniqueConstraint(fields=["family", "month"], condition=~models.Q(status="cancelled"),
                                    name="bill_one_per_family_month"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def reference(self) -> str:
        """What the family quotes at the cash desk and on a transfer."""
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (BillStatus.TO_PAY, BillStatus.LATE)


class BillLine(models.Model):
    """Une ligne de facture : un service d'un enfant (ses jours, son prix
    unitaire), ou un avoir (montant négatif)."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    child = models.CharField(_("enfant"), max_length=200)
    dossier = models.ForeignKey("workflows.Dossier", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    service = models.CharField(_("service"), max_length=200)
    unit = models.CharField(_("unité"), max_length=10, blank=True)
    quantity = models.IntegerField(_("quantité"))
    unit_price = models.DecimalField(_("prix unitaire (€)"), max_digits=8, decimal_places=2)
    amount = models.DecimalField(_("montant (€)"), max_digits=10, decimal_places=2)
    days = models.JSONField(_("jours"), default=list, blank=True)
    # The month the line's days are in: the bill's own month, or an earlier
    # one the bill regularises (days changed after that month was billed).
    # Empty for credits and what was paid at the payment stage.
    consumption_month = models.DateField(_("mois des jours"), null=True, blank=True, db_index=True)
    # The kind of the line's service (its credits' too), copied when the
    # bill is built: the attestation fiscale counts the childcare lines.
    # Empty for what was paid at the payment stage.
    kind = models.CharField(_("type de service"), max_length=20, choices=Service.choices, blank=True,
                            db_index=True)

    class Meta:
        verbose_name = _("ligne de facture")
        verbose_name_plural = _("lignes de facture")
        ordering = ["bill", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.bill.number} — {self.child} — {self.service}"

    @property
    def is_credit(self) -> bool:
        return self.amount < 0

    @property
    def is_regularisation(self) -> bool:
        return self.consumption_month is not None and self.consumption_month != self.bill.month

    @property
    def label(self) -> str:
        """The service as the family reads it on the bill."""
        if self.is_regularisation:
            return _("Régularisation de %(month)s : %(service)s") % {
                "month": formats.date_format(self.consumption_month, "F Y"), "service": self.service}
        return self.service

    @property
    def day_dates(self) -> list[dt.date]:
        return [dt.date.fromisoformat(day) for day in self.days]


@register_setting(icon="doc-full")
class FiscalAttestationSettings(BaseGenericSetting):
    """Le texte de l'attestation fiscale des frais de garde que chaque
    famille télécharge, une fois par an et par enfant de moins de 6 ans au
    1er janvier : les sommes payées pendant l'année pour l'accueil
    périscolaire (garderie), à déclarer aux impôts. La cantine n'y figure
    pas. Les mots entre accolades sont remplacés : {enfant},
    {date_naissance}, {famille}, {montant}, {annee}, {gestionnaire}, {date}."""

    title = models.CharField(_("titre"), max_length=120,
                             default="Attestation fiscale — frais de garde des enfants de moins de 6 ans")
    body = models.TextField(
        _("texte"),
        default=(
            "Nous, {gestionnaire}, attestons avoir reçu de la famille {famille} la somme de {montant} au titre "
            "des frais de garde (accueil périscolaire) de l'enfant {enfant}, né(e) le {date_naissance}, payés "
            "pendant l'année {annee}.\n\n"
            "Les repas (restauration scolaire) ne sont pas compris dans cette somme.\n\n"
            "Fait le {date}, pour servir et valoir ce que de droit."
        ),
        help_text=_("Mots remplacés : {enfant}, {date_naissance}, {famille}, {montant}, {annee}, {gestionnaire}, "
                    "{date}."),
    )
    signature = models.CharField(_("signature"), max_length=200, default="Le service financier", blank=True)

    panels = [FieldPanel("title"), FieldPanel("body"), FieldPanel("signature")]

    class Meta:
        verbose_name = _("attestation fiscale (frais de garde)")

    def clean(self) -> None:
        from workflows.attestation import template_problem

        from .fiscal import PLACEHOLDERS

        problem = template_problem(self.body, placeholders=PLACEHOLDERS)
        if problem:
            raise ValidationError({"body": problem})


# --- Consumption: reservations, absences, quotient familial ---------------------------------------------


def absence_upload_to(instance, filename: str) -> str:
    return random_name("absences", filename, allowed={"pdf", "jpg", "png"}, default="pdf")


def quotient_upload_to(instance, filename: str) -> str:
    return random_name("quotients", filename, allowed={"pdf", "jpg", "png"}, default="pdf")


class ReservationChange(models.Model):
    """A family's change, for one day, to the days its answers plan: a day
    reserved (« added ») or cancelled. One row per dossier, service and day —
    the last change wins, and two guardians changing the same day write the
    same row (``billing.reservations`` locks the dossier first)."""

    dossier = models.ForeignKey("workflows.Dossier", on_delete=models.CASCADE, related_name="reservation_changes")
    service = models.ForeignKey(ProcedureService, verbose_name=_("service"), on_delete=models.CASCADE,
                                related_name="reservation_changes")
    day = models.DateField(_("jour"))
    kind = models.CharField(_("changement"), max_length=10, choices=ReservationKind.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(_("modifié le"))

    class Meta:
        verbose_name = _("réservation modifiée")
        verbose_name_plural = _("réservations modifiées")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["dossier", "service", "day"],
                                               name="reservation_unique_dossier_service_day")]

    def __str__(self) -> str:
        return f"{self.dossier_id} — {self.service_id} — {self.day} : {self.get_kind_display()}"


class Absence(models.Model):
    """A reserved day the child missed, for a reason the service's editors
    credit (« Maladie avec certificat médical »…). ``credited_on`` is the
    month whose bill deducts it: the first bill not yet issued when the
    family declared it — so each absence is credited once."""

    dossier = models.ForeignKey("workflows.Dossier", on_delete=models.CASCADE, related_name="absences")
    service = models.ForeignKey(ProcedureService, verbose_name=_("service"), on_delete=models.CASCADE,
                                related_name="absences")
    day = models.DateField(_("jour d'absence"))
    reason = models.CharField(_("motif"), max_length=200)
    document = models.FileField(_("justificatif"), storage=private_storage, upload_to=absence_upload_to,
                                max_length=255, blank=True)
    document_type = models.CharField(max_length=40, blank=True, editable=False)
    credited_on = models.DateField(_("déduite de la facture de"), null=True, blank=True, db_index=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    declared_at = models.DateTimeField(_("déclarée le"))

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["dossier", "service", "day"],
                                               name="absence_unique_dossier_service_day")]

    def __str__(self) -> str:
        return f"{self.dossier_id} — {self.day} : {self.reason}"


class QuotientDeclaration(models.Model):
    """The quotient familial a family declares, with its CAF attestation; a
    finance agent validates it. Once validated it applies from
    ``applies_from``: the first month whose bill was not yet issued then.
    Until a declaration is validated, the services' default bracket applies."""

    family = models.ForeignKey("accounts.Family", verbose_name=_("famille"), on_delete=models.CASCADE,
                               related_name="quotient_declarations")
    value = models.DecimalField(_("quotient familial (€)"), max_digits=8, decimal_places=2,
                                validators=[MinValueValidator(0)])
    document = models.FileField(_("attestation de la CAF"), storage=private_storage, upload_to=quotient_upload_to,
                                max_length=255)
    document_type = models.CharField(max_length=40, editable=False)
    status = models.CharField(_("état"), max_length=10, choices=QuotientStatus.choices,
                              default=QuotientStatus.PENDING, db_index=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    declared_at = models.DateTimeField(_("déclaré le"))
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    validated_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    applies_from = models.DateField(_("appliqué à partir du mois de"), null=True, blank=True)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)

    class Meta:
        verbose_name = _("quotient familial déclaré")
        verbose_name_plural = _("quotients familiaux déclarés")
        ordering = ["-declared_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.family} — QF {self.value} ({self.get_status_display()})"
