"""Writes of payments. Each one checks who acts and that the dossier still
waits for it, locks what it changes, and records money once: a card payment
and a cash receipt number each have a unique row in the ledger, so a replayed
confirmation or a second receipt with the same number is refused by the
database even if two requests race past the checks."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cms.school_year import school_year_months
from files import checks
from files.constants import FileKind
from notifications.constants import Event
from workflows.constants import DossierState
from workflows.models import Dossier
from workflows.services import (
    DossierAlreadyDecided,
    dossier_message_post,
    dossier_notify_family,
    dossier_payment_rejected,
    dossier_payment_settled,
)

from . import amounts, consumption, deadlines, pdf, selectors, sepa
from .constants import (
    END_REVOCATIONS,
    ArrangementStatus,
    BillStatus,
    DebitStatus,
    MandateStatus,
    PaymentMode,
    RevocationReason,
    SequenceType,
)
from .models import (
    Bill,
    BillLine,
    BillSequence,
    CardPayment,
    DirectDebit,
    Mandate,
    Payment,
    PaymentArrangement,
    ProcedureService,
    QuotientBracket,
    Tariff,
)

logger = logging.getLogger(__name__)

SIGNED_KINDS = (FileKind.PDF, FileKind.JPEG, FileKind.PNG)
SIGNED_MAX_MB = 5


class PaymentError(Exception):
    """A payment action that cannot be done; ``errors`` maps form fields
    (or ``None``) to French messages for the user."""

    def __init__(self, message: str, field: str | None = None, errors: dict | None = None) -> None:
        self.message = message
        self.errors = errors or {field: message}
        super().__init__(message)

    def add_to(self, form) -> None:
        """Put each message next to its field (or on top of the form)."""
        for field, message in self.errors.items():
            form.add_error(field if field in form.fields else None, message)


def _amount_text(value: Decimal) -> str:
    return formats.number_format(value, 2, use_l10n=True) + " €"


# --- The dossier's side -----------------------------------------------------------------------------------
# The workflow owns the dossier's state; these go through its services and
# its process lock.


def _notify_family(dossier: Dossier, event: Event, key: str, **extra) -> None:
    dossier_notify_family(dossier=dossier, event=event, key=key, **extra)


def _settle(dossier: Dossier, *, by) -> Dossier:
    try:
        return dossier_payment_settled(dossier=dossier, by=by)
    except DossierAlreadyDecided:
        raise PaymentError(_("Ce dossier est déjà réglé.")) from None


def _check_family(dossier: Dossier, by) -> None:
    if by.family_id != dossier.family_id:
        raise PaymentError(_("Ce dossier n'appartient pas à votre famille."))


def _check_awaiting(dossier: Dossier) -> None:
    if dossier.state != DossierState.AWAITING_PAYMENT:
        raise PaymentError(
            _("Ce dossier n'attend pas de paiement (état : %(state)s).") % {"state": dossier.get_state_display()}
        )


def _received(dossier: Dossier, arrangement: PaymentArrangement, payment: Payment, method: str) -> None:
    _notify_family(
        dossier, Event.PAYMENT_RECEIVED, f"payment-{payment.pk}",
        amount=payment.amount, paid_at=timezone.localtime(payment.received_at).date(), payment_method=method,
    )


# --- Choosing -------------------------------------------------------------------------------------------


def arrangement_choose(*, dossier: Dossier, by, tariff: Tariff, first_month: dt.date, mode: str) -> PaymentArrangement:
    """The family picks the service (its tariff), the first month and how it pays."""
    _check_family(dossier, by)
    _check_awaiting(dossier)
    if mode not in PaymentMode.values:
        raise PaymentError(_("Choisissez un mode de paiement."), "mode")
    if mode == PaymentMode.CARD and not selectors.card_enabled():
        raise PaymentError(_("Le paiement par carte n'est pas disponible pour le moment."), "mode")
    if not selectors.tariffs_for(dossier=dossier).filter(pk=tariff.pk).exists():
        raise PaymentError(_("Ce tarif ne concerne pas l'école ou l'année scolaire du dossier."), "tariff")
    if first_month not in selectors.first_month_choices(dossier=dossier):
        raise PaymentError(_("Choisissez un mois de l'année scolaire dont l'échéance n'est pas passée."),
                           "first_month")
    with transaction.atomic():
        arrangement = PaymentArrangement.objects.select_for_update().filter(dossier=dossier).first()
        if arrangement is not None and arrangement.status in (ArrangementStatus.SETTLED, ArrangementStatus.TO_CHECK):
            raise PaymentError(
                _("Votre règlement est déjà %(status)s : il ne peut plus être changé ici.")
                % {"status": arrangement.get_status_display().lower()}
            )
        if arrangement is None:
            arrangement = PaymentArrangement(dossier=dossier)
        arrangement.tariff = tariff
        arrangement.amount = tariff.monthly_amount
        arrangement.first_month = first_month
        arrangement.mode = mode
        arrangement.status = ArrangementStatus.CHOSEN
        arrangement.chosen_by = by
        arrangement.save()
        # A mandate never signed is dropped when the family changes its mind.
        _drop_unsigned(dossier)
    return arrangement


def _pending_arrangement(dossier: Dossier, mode: str) -> PaymentArrangement:
    arrangement = PaymentArrangement.objects.select_for_update().filter(dossier=dossier).first()
    if arrangement is None or arrangement.mode != mode:
        raise PaymentError(_("Choisissez d'abord ce mode de paiement."))
    if arrangement.status == ArrangementStatus.SETTLED:
        raise PaymentError(_("Ce dossier est déjà réglé."))
    return arrangement


# --- SEPA direct debit ------------------------------------------------------------------------------------


def _mandate_reference(dossier: Dossier) -> str:
    # RUM: at most 35 characters among letters, digits and « - ».
    number = dossier.mandates.count() + 1
    return f"INSCRIRE-{dossier.reference}-{number:02d}"


def mandate_create(*, dossier: Dossier, by, holder_name: str, iban: str, bic: str) -> Mandate:
    """The family's account details, checked, become a pre-filled mandate
    (with its RUM and the operator's creditor identifier) to sign."""
    _check_family(dossier, by)
    _check_awaiting(dossier)
    errors = {}
    holder_name = " ".join((holder_name or "").split())
    if not holder_name:
        errors["holder_name"] = _("Indiquez le nom du titulaire du compte, tel qu'il figure sur le RIB.")
    elif len(holder_name) > 70:
        errors["holder_name"] = _("Le nom du titulaire compte 70 caractères au plus.")
    try:
        iban = sepa.clean_iban(iban)
    except sepa.SepaError as error:
        errors["iban"] = error.message
    try:
        bic = sepa.clean_bic(bic)
    except sepa.SepaError as error:
        errors["bic"] = error.message
    if errors:
        raise PaymentError(next(iter(errors.values())), errors=errors)
    creditor = selectors.payment_settings()
    if not creditor.creditor_identifier:
        raise PaymentError(_("Le prélèvement n'est pas encore ouvert : le service financier n'a pas renseigné "
                             "son identifiant créancier. Choisissez un autre mode de paiement."))
    with transaction.atomic():
        _pending_arrangement(dossier, PaymentMode.SEPA)
        _drop_unsigned(dossier)
        return Mandate.objects.create(
            dossier=dossier,
            reference=_mandate_reference(dossier),
            creditor_name=creditor.creditor_name,
            creditor_identifier=creditor.creditor_identifier,
            holder_name=holder_name,
            iban=iban,
            bic=bic,
            created_by=by,
        )


def _drop_unsigned(dossier: Dossier) -> None:
    dossier.mandates.filter(status=MandateStatus.AWAITING_SIGNATURE).update(
        status=MandateStatus.REVOKED, revoked_at=timezone.now(), revocation_reason=RevocationReason.REPLACED)


# --- The end of a mandate ---------------------------------------------------------------------------------
# A dossier refused or withdrawn, or the family's account deleted, ends its
# mandates at once: the export only debits validated mandates, so nothing
# is debited after. The account details are kept while a debit already
# sent to the bank may still come back (a rejection, or the holder's
# refund within eight weeks, which the finance agent answers with the
# mandate), then erased — by the revocation itself when nothing is
# pending, else by the daily task ``billing.tasks.mandates_erase``.

DEBIT_RETURN_DAYS = 56  # eight weeks: the debtor's unconditional refund right (SEPA Core)

REVOCABLE = (MandateStatus.AWAITING_SIGNATURE, MandateStatus.SIGNED, MandateStatus.VALIDATED)


def mandates_revoke(*, dossiers, reason: str) -> list[Mandate]:
    """Revoke every live mandate of ``dossiers`` (a queryset or list of
    dossiers) for ``reason``, then erase the account details of those with
    no debit pending. Safe to call twice: a revoked mandate is left as it
    is. Returns the mandates revoked now."""
    now = timezone.now()
    with transaction.atomic():
        revoked = list(Mandate.objects.select_for_update().filter(dossier__in=dossiers, status__in=REVOCABLE))
        for mandate in revoked:
            mandate.status = MandateStatus.REVOKED
            mandate.revoked_at = now
            mandate.revocation_reason = reason
            mandate.save(update_fields=["status", "revoked_at", "revocation_reason"])
        # Mandates refused by finance, or revoked earlier, still hold an IBAN:
        # they end with the dossier too.
        ended = Mandate.objects.filter(dossier__in=dossiers, erased_at__isnull=True).exclude(
            revocation_reason__in=END_REVOCATIONS).exclude(status__in=REVOCABLE)
        ended.filter(revoked_at__isnull=True).update(revoked_at=now)
        ended.update(revocation_reason=reason)
        mandates_erase(mandates=Mandate.objects.filter(dossier__in=dossiers), now=now)
    return revoked


def _debit_pending(mandate: Mandate, today: dt.date) -> bool:
    return mandate.debits.filter(
        status=DebitStatus.EXPORTED, collection_date__gt=today - dt.timedelta(days=DEBIT_RETURN_DAYS)
    ).exists()


def mandates_erase(*, mandates=None, now: dt.datetime | None = None) -> int:
    """Erase the holder's name, IBAN, BIC and signed file of the mandates
    ended with their dossier or account (``END_REVOCATIONS``) whose debits
    can no longer come back.
    ``mandates`` narrows the search (default: all). Safe to run twice: an
    erased mandate is not selected again. Returns how many were erased."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = Mandate.objects.all() if mandates is None else mandates
    candidates = candidates.filter(erased_at__isnull=True, revocation_reason__in=END_REVOCATIONS).exclude(
        status__in=REVOCABLE)
    erased = 0
    for mandate in candidates:
        with transaction.atomic():
            locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
            if locked.erased_at is not None or _debit_pending(locked, today):
                continue
            if locked.signed_document:
                name, storage = locked.signed_document.name, locked.signed_document.storage
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
            Mandate.objects.filter(pk=locked.pk).update(holder_name="—", iban="", bic="", signed_document="",
                                                        erased_at=now)
            erased += 1
    return erased


def mandate_pdf(*, mandate: Mandate) -> bytes:
    return pdf.mandate_pdf(mandate=mandate, dossier=mandate.dossier)


def mandate_upload_signed(*, mandate: Mandate, by, upload) -> Mandate:
    """The family sends back the signed mandate; a finance agent checks it.
    The file goes through the portal's one upload pipeline (``files.checks``:
    content type, PDF structure and active content, images re-encoded
    without metadata, antivirus)."""
    _check_family(mandate.dossier, by)
    if upload is None:
        raise PaymentError(_("Joignez le mandat signé (PDF, JPEG ou PNG)."), "document")
    try:
        checked = checks.check_upload(upload, kinds=SIGNED_KINDS, max_mb=SIGNED_MAX_MB)
    except ValidationError as error:
        raise PaymentError(" ".join(error.messages), "document") from None
    with transaction.atomic():
        locked = Mandate.objects.select_for_update().select_related("dossier").get(pk=mandate.pk)
        _check_awaiting(locked.dossier)
        if locked.status != MandateStatus.AWAITING_SIGNATURE:
            raise PaymentError(_("Ce mandat a déjà été envoyé (état : %(state)s).")
                               % {"state": locked.get_status_display().lower()}, "document")
        arrangement = _pending_arrangement(locked.dossier, PaymentMode.SEPA)
        locked.signed_document.save(f"mandat.{checked.kind}", upload, save=False)
        locked.signed_at = timezone.localdate()
        locked.status = MandateStatus.SIGNED
        locked.save()
        arrangement.status = ArrangementStatus.TO_CHECK
        arrangement.save(update_fields=["status", "updated_at"])
    return locked


def mandate_validate(*, mandate: Mandate, by) -> Mandate:
    """A finance agent checked the signed mandate: the arrangement is
    validated, which meets the payment condition."""
    with transaction.atomic():
        locked = Mandate.objects.select_for_update().select_related("dossier").get(pk=mandate.pk)
        if locked.status != MandateStatus.SIGNED:
            raise PaymentError(_("Ce mandat n'est pas à vérifier (état : %(state)s).")
                               % {"state": locked.get_status_display().lower()})
        dossier = locked.dossier
        _check_awaiting(dossier)
        arrangement = PaymentArrangement.objects.select_for_update().get(dossier=dossier)
        locked.status = MandateStatus.VALIDATED
        locked.validated_by = by
        locked.validated_at = timezone.now()
        locked.save()
        arrangement.status = ArrangementStatus.SETTLED
        arrangement.settled_at = timezone.now()
        arrangement.save(update_fields=["status", "settled_at", "updated_at"])
        _notify_family(dossier, Event.MANDATE_VALIDATED, f"mandate-{locked.pk}", mandate=locked,
                       first_debit_date=deadlines.due_date(arrangement.first_month))
        _settle(dossier, by=by)
    return locked


def mandate_refuse(*, mandate: Mandate, by, reason: str) -> Mandate:
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Indiquez le motif du refus : il sera communiqué à la famille."), "reason")
    with transaction.atomic():
        locked = Mandate.objects.select_for_update().select_related("dossier").get(pk=mandate.pk)
        if locked.status != MandateStatus.SIGNED:
            raise PaymentError(_("Ce mandat n'est pas à vérifier (état : %(state)s).")
                               % {"state": locked.get_status_display().lower()})
        locked.status = MandateStatus.REFUSED
        locked.refusal_reason = reason
        locked.validated_by = by
        locked.validated_at = timezone.now()
        locked.save()
        PaymentArrangement.objects.filter(dossier=locked.dossier).update(status=ArrangementStatus.CHOSEN)
        dossier_message_post(
            dossier=locked.dossier, by=by,
            body=_("Mandat de prélèvement %(ref)s refusé : %(reason)s") % {"ref": locked.reference, "reason": reason},
        )
    return locked


def debits_export(*, month: dt.date, by) -> tuple[bytes, int]:
    """The pain.008 file of ``month``'s debits: one per validated mandate
    whose dossier is confirmed. Exporting a month again gives the same debits
    (each mandate is debited once a month); rejected ones are left out."""
    month = deadlines.first_of_month(month)
    creditor = selectors.payment_settings()
    missing = [label for label, value in (
        (_("identifiant créancier (ICS)"), creditor.creditor_identifier),
        (_("IBAN du compte crédité"), creditor.creditor_iban),
        (_("BIC du compte crédité"), creditor.creditor_bic),
    ) if not value]
    if missing:
        raise PaymentError(_("Renseignez d'abord dans Paramètres › Paiements : %(missing)s.")
                           % {"missing": ", ".join(str(m) for m in missing)})
    collection = max(deadlines.due_date(month), timezone.localdate() + dt.timedelta(days=1))
    with transaction.atomic():
        debited_families = _bills_debit(month=month, by=by, collection=collection)
        mandates = (
            Mandate.objects.select_for_update(of=("self",))
            .filter(status=MandateStatus.VALIDATED, dossier__state=DossierState.CONFIRMED,
                    dossier__payment_arrangement__mode=PaymentMode.SEPA,
                    dossier__payment_arrangement__status=ArrangementStatus.SETTLED,
                    dossier__payment_arrangement__first_month__lte=month)
            .select_related("dossier__payment_arrangement")
        )
        for mandate in mandates:
            if mandate.dossier.family_id in debited_families:
                continue  # the family's bill of the month carries this dossier's amount
            arrangement = mandate.dossier.payment_arrangement
            year_months = school_year_months(arrangement.tariff.school_year)
            if month not in year_months or mandate.debits.filter(month=month).exists():
                continue
            first = not mandate.debits.filter(status=DebitStatus.EXPORTED).exists()
            DirectDebit.objects.create(
                mandate=mandate, month=month, amount=arrangement.amount,
                sequence=SequenceType.FIRST if first else SequenceType.RECURRING,
                collection_date=collection, exported_by=by,
                # EndToEndId: 35 characters at most; the RUM (22 for ours) whole.
                end_to_end_id=f"{mandate.reference[-28:]}-{month:%Y%m}",
            )
    return debits_file(month=month)


def debits_file(*, month: dt.date) -> tuple[bytes, int]:
    """The pain.008 file of the debits ``debits_export`` recorded for
    ``month``, as they stand (read only: downloading it again changes
    nothing)."""
    month = deadlines.first_of_month(month)
    creditor = selectors.payment_settings()
    # A mandate revoked since a first export of the month (its account
    # deleted, its dossier closed) is never in the file again.
    debits = list(DirectDebit.objects.filter(month=month, status=DebitStatus.EXPORTED,
                                             mandate__status=MandateStatus.VALIDATED)
                  .select_related("mandate__dossier__child", "bill").order_by("pk"))
    if not debits:
        raise PaymentError(_("Aucun prélèvement à transmettre pour %(month)s.")
                           % {"month": formats.date_format(month, "F Y")})
    lines = [
        sepa.DebitLine(
            mandate_reference=d.mandate.reference, mandate_date=d.mandate.signed_at or d.mandate.created_at.date(),
            holder_name=d.mandate.holder_name, iban=d.mandate.iban, bic=d.mandate.bic, amount=d.amount,
            sequence=d.sequence, collection_date=d.collection_date, end_to_end_id=d.end_to_end_id,
            description=(f"Facture {d.bill.number} {month:%m/%Y}" if d.bill_id else
                         f"Dossier {d.mandate.dossier.reference} {d.mandate.dossier.child.first_name} {month:%m/%Y}"),
        )
        for d in debits
    ]
    xml = sepa.pain008(creditor_name=creditor.creditor_name, creditor_identifier=creditor.creditor_identifier,
                       creditor_iban=creditor.creditor_iban, creditor_bic=creditor.creditor_bic, lines=lines)
    return xml, len(debits)


def _bills_debit(*, month: dt.date, by, collection: dt.date) -> set[int]:
    """Debit each family's bill of ``month`` on one validated mandate of the
    family (its latest), once; a paid bill is not debited. Returns the
    families with a bill this month: the bill carries everything they owe,
    so their flat tariffs are never debited on top (even when the bill was
    paid otherwise)."""
    bills = {b.family_id: b for b in Bill.objects.select_for_update().filter(month=month).exclude(
        status=BillStatus.CANCELLED)}
    if not bills:
        return set()
    mandates = (Mandate.objects.select_for_update(of=("self",))
                .filter(status=MandateStatus.VALIDATED, dossier__family_id__in=list(bills))
                .select_related("dossier").order_by("dossier__family_id", "-validated_at", "-pk"))
    chosen: dict[int, Mandate] = {}
    for mandate in mandates:
        chosen.setdefault(mandate.dossier.family_id, mandate)
    already = set(DirectDebit.objects.filter(bill__in=bills.values()).exclude(status=DebitStatus.REJECTED)
                  .values_list("bill__family_id", flat=True))
    exported = set(DirectDebit.objects.filter(mandate__in=chosen.values(), status=DebitStatus.EXPORTED)
                   .values_list("mandate_id", flat=True))
    now = timezone.now()
    for family_id, mandate in chosen.items():
        bill = bills[family_id]
        if family_id in already:
            continue
        if not bill.is_open or bill.total <= 0 or mandate.debits.filter(month=month).exists():
            continue
        DirectDebit.objects.create(
            mandate=mandate, month=month, amount=bill.total, bill=bill,
            sequence=SequenceType.RECURRING if mandate.pk in exported else SequenceType.FIRST,
            collection_date=collection, exported_by=by,
            end_to_end_id=f"{mandate.reference[-28:]}-{month:%Y%m}",
        )
        # Paid by the debit unless the bank rejects it (``debit_reject``).
        bill.status = BillStatus.PAID
        bill.paid_at = now
        bill.save(update_fields=["status", "paid_at"])
    return set(bills)


def debit_reject(*, debit: DirectDebit, by, reason: str) -> DirectDebit:
    """The bank rejected a debit: the dossier waits for payment again and
    the family is told. The mandate is revoked: the family pays by card or
    cash, or signs a new one."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Indiquez le motif du rejet donné par la banque."), "reason")
    with transaction.atomic():
        locked = DirectDebit.objects.select_for_update().select_related("mandate__dossier").get(pk=debit.pk)
        if locked.status == DebitStatus.REJECTED:
            raise PaymentError(_("Ce prélèvement est déjà marqué rejeté."))
        locked.status = DebitStatus.REJECTED
        locked.rejected_at = timezone.now()
        locked.rejected_by = by
        locked.rejection_reason = reason
        locked.save()
        mandate = locked.mandate
        if mandate.status != MandateStatus.REVOKED:
            mandate.status = MandateStatus.REVOKED
            mandate.revoked_at = timezone.now()
            mandate.revocation_reason = RevocationReason.DEBIT_REJECTED
            mandate.save(update_fields=["status", "revoked_at", "revocation_reason"])
        if locked.bill_id:
            # A bill's debit: the bill is to pay again (by card or cash); the
            # dossiers stay confirmed.
            bill = Bill.objects.select_for_update().get(pk=locked.bill_id)
            late = timezone.now() >= deadlines.due_deadline(bill.month)
            bill.status = BillStatus.LATE if late else BillStatus.TO_PAY
            bill.paid_at = None
            bill.save(update_fields=["status", "paid_at"])
            dossier = mandate.dossier
            _notify_family(dossier, Event.DEBIT_REJECTED, f"debit-{locked.pk}-rejected", amount=locked.amount,
                           debit_date=locked.collection_date, reason=reason)
            return locked
        PaymentArrangement.objects.filter(dossier=mandate.dossier).update(
            status=ArrangementStatus.REJECTED, settled_at=None
        )
        dossier = dossier_payment_rejected(
            dossier=mandate.dossier, by=by,
            comment=_("Prélèvement de %(amount)s du %(date)s rejeté par la banque : %(reason)s. "
                      "Merci de régler à nouveau.") % {
                "amount": _amount_text(locked.amount),
                "date": formats.date_format(locked.collection_date, "j F Y"), "reason": reason},
        )
        _notify_family(dossier, Event.DEBIT_REJECTED, f"debit-{locked.pk}-rejected", amount=locked.amount,
                       debit_date=locked.collection_date, reason=reason)
    return locked


# --- Card -------------------------------------------------------------------------------------------------


def card_payment_start(*, dossier: Dossier, by, return_origin: str = "") -> CardPayment:
    """A new online payment for the tariff's amount — never an amount sent
    by the browser. ``return_origin`` (``https://host[:port]``, a host the
    portal serves) is where the provider sends the payer back; SITE_URL
    when empty."""
    _check_family(dossier, by)
    _check_awaiting(dossier)
    if not selectors.card_enabled():
        raise PaymentError(_("Le paiement par carte n'est pas disponible pour le moment."))
    with transaction.atomic():
        arrangement = _pending_arrangement(dossier, PaymentMode.CARD)
        return CardPayment.objects.create(
            variant=settings.CARD_PAYMENT_VARIANT,
            dossier=dossier,
            arrangement=arrangement,
            currency="EUR",
            total=arrangement.amount,
            description=_("Dossier %(ref)s — %(service)s, %(month)s") % {
                "ref": dossier.reference, "service": arrangement.tariff.get_service_display(),
                "month": formats.date_format(arrangement.first_month, "F Y")},
            billing_first_name=by.first_name,
            billing_last_name=by.last_name,
            billing_email=by.email,
            billing_country_code="FR",
            return_origin=return_origin,
        )


def card_payment_confirmed(*, card_payment_id: int) -> Payment | None:
    """Called whenever the provider changes a payment's status. Counts the
    payment once, and only if the provider confirmed it for the amount,
    currency and provider we expect; otherwise the reason is kept for the
    finance agent (to refund), and nothing is counted."""
    from payments import PaymentStatus

    with transaction.atomic():
        card = CardPayment.objects.select_for_update().get(pk=card_payment_id)
        if card.status != PaymentStatus.CONFIRMED or card.counted_at or card.refusal:
            return None  # not confirmed, or a replay of a confirmation already handled
        if Payment.objects.filter(card_payment=card).exists():
            return None  # counted already (the ledger's one-to-one is the last word)
        if card.bill_id:
            return _bill_card_confirmed(card)
        arrangement = PaymentArrangement.objects.select_for_update().get(pk=card.arrangement_id)
        dossier = Dossier.objects.select_related("family", "child", "school", "submission").get(pk=card.dossier_id)
        refusal = ""
        if card.variant != settings.CARD_PAYMENT_VARIANT:
            refusal = _("prestataire inattendu")
        elif card.currency != "EUR" or card.total != arrangement.amount or (
            card.captured_amount and card.captured_amount != card.total
        ):
            refusal = _("montant différent du tarif (%(amount)s attendus)") % {
                "amount": _amount_text(arrangement.amount)}
        elif dossier.state != DossierState.AWAITING_PAYMENT or arrangement.status == ArrangementStatus.SETTLED:
            refusal = _("dossier déjà réglé")
        if refusal:
            card.refusal = refusal
            card.save(update_fields=["refusal"])
            logger.warning("Card payment %s not counted: %s", card.pk, refusal)
            return None
        now = timezone.now()
        card.counted_at = now
        card.save(update_fields=["counted_at"])
        payment = Payment.objects.create(
            dossier=dossier, arrangement=arrangement, mode=PaymentMode.CARD, amount=card.total,
            month=arrangement.first_month, received_at=now, card_payment=card,
            on_time=deadlines.is_on_time(now, arrangement.first_month),
        )
        arrangement.status = ArrangementStatus.SETTLED
        arrangement.settled_at = now
        arrangement.save(update_fields=["status", "settled_at", "updated_at"])
        _received(dossier, arrangement, payment, PaymentMode.CARD.label)
        _settle(dossier, by=None)
    return payment


# --- Cash -------------------------------------------------------------------------------------------------


def cash_slip_pdf(*, dossier: Dossier) -> bytes:
    arrangement = PaymentArrangement.objects.select_related("tariff").get(dossier=dossier)
    return pdf.cash_slip_pdf(dossier=dossier, arrangement=arrangement,
                             cash_desk=selectors.payment_settings().cash_desk)


def parse_amount(value: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace("€", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise PaymentError(_("Écrivez le montant en euros, par exemple 45,50."), "amount") from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:
        raise PaymentError(_("Écrivez le montant en euros, par exemple 45,50."), "amount")
    return amount


def cash_record(*, dossier: Dossier, by, amount: Decimal, receipt_number: str,
                received_at: dt.datetime | None = None) -> Payment:
    """A finance agent counted the family's cash at the desk."""
    receipt_number = "".join((receipt_number or "").split()).upper()
    if not receipt_number:
        raise PaymentError(_("Indiquez le numéro du reçu remis à la famille."), "receipt_number")
    received_at = received_at or timezone.now()
    try:
        with transaction.atomic():
            existing = Payment.objects.filter(receipt_number=receipt_number).select_related("dossier").first()
            if existing is not None:
                raise PaymentError(
                    _("Le reçu n° %(number)s est déjà enregistré (dossier %(ref)s) : vérifiez le numéro.")
                    % {"number": receipt_number, "ref": existing.bill.number if existing.bill_id
                       else existing.dossier.reference}, "receipt_number")
            arrangement = PaymentArrangement.objects.select_for_update().filter(dossier=dossier).first()
            if arrangement is None:
                raise PaymentError(_("La famille n'a pas encore choisi son tarif : rien ne peut être encaissé."))
            fresh = Dossier.objects.select_related("family", "child", "school", "submission").get(pk=dossier.pk)
            if fresh.state != DossierState.AWAITING_PAYMENT or arrangement.status == ArrangementStatus.SETTLED:
                raise PaymentError(_("Ce dossier est déjà réglé : n'encaissez rien de plus."))
            if amount != arrangement.amount:
                raise PaymentError(
                    _("Le montant ne correspond pas au tarif : %(expected)s sont attendus pour %(service)s.")
                    % {"expected": _amount_text(arrangement.amount),
                       "service": arrangement.tariff.get_service_display()}, "amount")
            payment = Payment.objects.create(
                dossier=fresh, arrangement=arrangement, mode=PaymentMode.CASH, amount=amount,
                month=arrangement.first_month, received_at=received_at, receipt_number=receipt_number,
                recorded_by=by, on_time=deadlines.is_on_time(received_at, arrangement.first_month),
            )
            arrangement.mode = PaymentMode.CASH
            arrangement.status = ArrangementStatus.SETTLED
            arrangement.settled_at = received_at
            arrangement.save(update_fields=["mode", "status", "settled_at", "updated_at"])
            _received(fresh, arrangement, payment, PaymentMode.CASH.label)
            _settle(fresh, by=by)
    except IntegrityError:
        # Two agents typed the same receipt at the same moment.
        raise PaymentError(_("Le reçu n° %(number)s est déjà enregistré : vérifiez le numéro.")
                           % {"number": receipt_number}, "receipt_number") from None
    return payment


# --- Deadlines --------------------------------------------------------------------------------------------


def _awaiting_payment():
    return Dossier.objects.filter(state=DossierState.AWAITING_PAYMENT, payment_required=True).select_related(
        "family", "child", "school", "submission"
    )


def payments_send_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind families 7 days and 1 day before the due date. Each reminder
    has its own notification key, so running twice sends it once; a day the
    task missed is caught up by the next run (the most recent reminder
    only)."""
    now = now or timezone.now()
    today = deadlines.local_today(now)
    sent = 0
    for dossier in _awaiting_payment():
        terms = selectors.payment_terms(dossier=dossier)
        if terms.amount is None:
            continue
        if terms.arrangement is not None and terms.arrangement.status == ArrangementStatus.TO_CHECK:
            continue
        due = terms.due_date
        eligible = [d for d in deadlines.REMINDER_DAYS_BEFORE if due - dt.timedelta(days=d) <= today <= due]
        if not eligible:
            continue
        days = min(eligible)
        with transaction.atomic():
            _notify_family(dossier, Event.PAYMENT_REMINDER, f"payment-reminder-{due:%Y%m%d}-{days}",
                           amount=terms.amount, due_date=due)
        sent += 1
    return sent


def payments_flag_overdue(*, now: dt.datetime | None = None) -> int:
    """After the due date, flag the dossier for the finance agent and tell
    the family — never cancel it. Once per due date."""
    now = now or timezone.now()
    flagged = 0
    for dossier in _awaiting_payment():
        terms = selectors.payment_terms(dossier=dossier)
        if now < deadlines.due_deadline(terms.first_month):
            continue
        if terms.arrangement is not None and terms.arrangement.status == ArrangementStatus.TO_CHECK:
            continue
        with transaction.atomic():
            if terms.arrangement is not None:
                claimed = PaymentArrangement.objects.filter(pk=terms.arrangement.pk, overdue_at__isnull=True).update(
                    overdue_at=now)
                if not claimed:
                    continue
            if terms.amount is not None:
                _notify_family(dossier, Event.PAYMENT_OVERDUE, f"payment-overdue-{terms.due_date:%Y%m%d}",
                               amount=terms.amount, due_date=terms.due_date)
        flagged += 1
    return flagged


def tariffs_copy_to_year(*, from_year: str, to_year: str) -> int:
    """Next school year's tariffs start as this year's: each tariff of
    ``from_year`` that has no counterpart in ``to_year`` is copied (editors
    then change the amounts that change). Returns how many were made."""
    made = 0
    existing = set(Tariff.objects.filter(school_year=to_year).values_list("school_id", "service"))
    for tariff in Tariff.objects.filter(school_year=from_year):
        if (tariff.school_id, tariff.service) in existing:
            continue
        Tariff.objects.create(school_id=tariff.school_id, service=tariff.service, school_year=to_year,
                              monthly_amount=tariff.monthly_amount, description=tariff.description)
        made += 1
    return made


def services_copy_to_year(*, page, from_year: str, to_year: str) -> int:
    """« Préparer l'année suivante » made ``page`` (and its sub-pages) as
    next year's copies of last year's procedures: each copy starts with the
    services (and quotient brackets) its previous-year procedure had for
    ``from_year``, for ``to_year``; editors then change what changed. A
    service carried forward from a flat tariff is not copied (next year's
    tariffs are). Returns how many were made; running it again makes none."""
    from workflows.models import ProcedurePage

    made = 0
    copies = ProcedurePage.objects.filter(pk__in=[page.pk, *page.get_descendants().values_list("pk", flat=True)],
                                          previous_year_page__isnull=False)
    for copy in copies:
        if ProcedureService.objects.filter(procedure=copy, school_year=to_year).exists():
            continue
        originals = ProcedureService.objects.filter(procedure_id=copy.previous_year_page_id, school_year=from_year,
                                                    tariff__isnull=True).prefetch_related("brackets")
        with transaction.atomic():
            for original in originals:
                service = ProcedureService.objects.create(
                    procedure=copy, school_year=to_year, school_id=original.school_id, kind=original.kind,
                    name=original.name, unit=original.unit, price=original.price, question=original.question,
                )
                QuotientBracket.objects.bulk_create([
                    QuotientBracket(service=service, qf_from=b.qf_from, price=b.price, is_default=b.is_default,
                                    sort_order=b.sort_order)
                    for b in original.brackets.all()
                ])
                made += 1
    return made


# --- Bills ------------------------------------------------------------------------------------------------
# One bill per family and month of consumption, from the one money rule
# (``selectors.families_month``: the days × the unit prices, less the
# credits of ``consumption.month_credits``). Issued once: a family whose
# bill for the month exists is skipped, and the database holds one live
# bill per family and month.


def bill_numbers_take(*, year: int, count: int) -> list[str]:
    """``count`` consecutive bill numbers of ``year`` (« F2027-000123 »),
    with no gap and no duplicate: the year's counter row is locked until
    the caller's transaction ends. Call inside ``transaction.atomic``."""
    BillSequence.objects.get_or_create(year=year)
    sequence = BillSequence.objects.select_for_update().get(year=year)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return [f"F{year}-{number:06d}" for number in range(first, first + count)]


def _bill_lines(entry: selectors.FamilyMonth | None, credits) -> list[BillLine]:
    lines = []
    for dossier, line in (entry.lines if entry is not None else []):
        lines.append(BillLine(child=line.child, dossier=dossier, service=line.service, unit=line.unit, kind=line.kind,
                              quantity=line.quantity, unit_price=line.unit_price, amount=line.amount,
                              days=[day.isoformat() for day in line.days]))
    for dossier, amount in (entry.prepaid if entry is not None else []):
        # The flat tariff's first month, paid at the payment stage.
        lines.append(BillLine(child=str(dossier.child), dossier=dossier,
                              service=_("Déjà réglé à l'inscription (dossier %(ref)s)") % {"ref": dossier.reference},
                              quantity=1, unit_price=-amount, amount=-amount))
    for credit in credits:
        # A credit is taken off, whichever sign its line was written with.
        lines.append(BillLine(child=credit.child, dossier_id=credit.dossier_id, service=credit.service,
                              unit=credit.unit, kind=credit.kind,
                              quantity=credit.quantity, unit_price=-abs(credit.unit_price),
                              amount=-abs(credit.amount), days=[day.isoformat() for day in credit.days]))
    for position, line in enumerate(lines):
        line.position = position
    return lines


def _regularised_months(month: dt.date, now: dt.datetime) -> list[dt.date]:
    """The months a bill for ``month`` settles: the two before it, once
    locked (the month locked the day before and the one before that)."""
    previous = deadlines.previous_month(month)
    return [m for m in (deadlines.previous_month(previous), previous)
            if deadlines.is_locked(m, now) and m in school_year_months(selectors.school_year_of_month(m))]


def _regularisation_lines(*, months: list[dt.date], family_ids: set[int] | None = None) -> dict[int, list[BillLine]]:
    """What changed in each locked month since it was billed: the days the
    family reserved or cancelled after its bill was issued, and the whole
    month of a dossier confirmed after that month's bills went out. For
    each dossier still confirmed and service, the days now counted less
    those already billed for that month (on any bill), at the month's unit
    price; by family id. Billed lines of a month add up to what it counts
    once regularised, so settling a month again adds nothing."""
    found: dict[int, list[BillLine]] = {}
    for month in months:
        billed: dict[tuple, list] = {}
        for line in (BillLine.objects.filter(consumption_month=month, dossier__isnull=False)
                     .exclude(unit="").exclude(bill__status=BillStatus.CANCELLED)
                     .only("dossier", "service", "unit", "unit_price", "quantity", "days")):
            key = (line.dossier_id, line.service, line.unit)
            entry = billed.setdefault(key, [0, set(), line.unit_price])
            entry[0] += line.quantity
            entry[1] ^= set(line.days)  # a day billed then taken back is no longer billed
        billed_dossiers = {key[0] for key in billed}
        missed_run = deadlines.due_deadline(deadlines.previous_month(month))  # that month's bills went out then
        for entry in selectors.families_month(month=month, family_ids=family_ids):
            for dossier, line in entry.lines:
                late = (dossier.confirmed_at or dossier.submitted_at) >= missed_run
                if dossier.pk not in billed_dossiers and not late:
                    continue  # billed before bills existed (a flat tariff): not billed again
                quantity, days, _price = billed.pop((dossier.pk, line.service, line.unit), [0, set(), None])
                delta = line.quantity - quantity
                if not delta:
                    continue
                now_days = {day.isoformat() for day in line.days}
                changed = sorted(now_days - days) if delta > 0 else sorted(days - now_days)
                found.setdefault(entry.family.pk, []).append(BillLine(
                    child=line.child, dossier=dossier, consumption_month=month, unit=line.unit, service=line.service,
                    kind=line.kind,
                    quantity=delta, unit_price=line.unit_price, amount=amounts.to_cent(line.unit_price * delta),
                    days=changed,
                ))
    return found


def bills_issue(*, month: dt.date, now: dt.datetime | None = None) -> int:
    """One bill for every family with something to pay for ``month``: its
    planned days as they stand (the month is still open to reservations),
    the regularisation of the two months before it (``_regularisation_lines``)
    and its credits. Safe to run twice: a family whose bill exists is
    skipped. The number of queries does not grow with the number of
    families. Returns how many bills were issued."""
    month = deadlines.first_of_month(month)
    now = now or timezone.now()
    entries = {e.family.pk: e for e in selectors.families_month(month=month)}
    regularised = _regularisation_lines(months=_regularised_months(month, now))
    if not entries and not regularised:
        return 0
    year = deadlines.local_today(now).year
    with transaction.atomic():
        # The counter's lock also serializes two runs: the second sees the
        # first one's bills once it gets the lock.
        BillSequence.objects.get_or_create(year=year)
        BillSequence.objects.select_for_update().get(year=year)
        billed = set(Bill.objects.filter(month=month).exclude(status=BillStatus.CANCELLED)
                     .values_list("family_id", flat=True))
        credits = consumption.families_credits(family_ids=set(entries) | set(regularised), month=month)
        families = {e.family.pk: e.family for e in entries.values()}
        for lines in regularised.values():
            families.setdefault(lines[0].dossier.family_id, lines[0].dossier.family)
        bills, lines_of = [], []
        for family_id, family in sorted(families.items()):
            if family_id in billed:
                continue
            entry = entries.get(family_id)
            lines = _bill_lines(entry, []) if entry is not None else []
            for line in lines:
                if line.dossier_id is not None and line.unit:
                    line.consumption_month = month
            lines += regularised.get(family_id, [])
            lines += _bill_lines(None, credits.get(family_id, []))
            if not lines:
                continue
            for position, line in enumerate(lines):
                line.position = position
            total = sum((line.amount for line in lines), Decimal("0.00"))
            paid = total <= 0
            bills.append(Bill(family=family, month=month, number="", issued_at=now,
                              due_date=deadlines.due_date(month), total=total,
                              quotient=entry.quotient if entry is not None else None,
                              status=BillStatus.PAID if paid else BillStatus.TO_PAY, paid_at=now if paid else None))
            lines_of.append(lines)
        if not bills:
            return 0
        for bill, number in zip(bills, bill_numbers_take(year=year, count=len(bills))):
            bill.number = number
        Bill.objects.bulk_create(bills)
        for bill, lines in zip(bills, lines_of):
            for line in lines:
                line.bill = bill
        BillLine.objects.bulk_create([line for lines in lines_of for line in lines])
    return len(bills)


def _bill_dossier(bill: Bill) -> Dossier | None:
    """The dossier a bill's messages are about (the family's first on the bill)."""
    line = bill.lines.filter(dossier__isnull=False).select_related("dossier__family", "dossier__child",
                                                                   "dossier__school", "dossier__submission").first()
    return line.dossier if line is not None else None


def _bill_payment_record(*, bill: Bill, mode: str, amount: Decimal, received_at: dt.datetime, by=None,
                         receipt_number: str | None = None, card: CardPayment | None = None) -> Payment:
    """Record money received for ``bill`` (locked by the caller). The bill's
    amount pays it; a payment for a bill already paid is kept aside, to
    refund."""
    payment = Payment.objects.create(
        bill=bill, mode=mode, amount=amount, month=bill.month, received_at=received_at, recorded_by=by,
        receipt_number=receipt_number, card_payment=card, on_time=deadlines.is_on_time(received_at, bill.month),
    )
    if bill.is_open and amount == bill.total:
        bill.status = BillStatus.PAID
        bill.paid_at = received_at
        bill.save(update_fields=["status", "paid_at"])
        dossier = _bill_dossier(bill)
        if dossier is not None:
            _notify_family(dossier, Event.PAYMENT_RECEIVED, f"bill-payment-{payment.pk}", amount=amount,
                           paid_at=timezone.localtime(received_at).date(),
                           payment_method=PaymentMode(mode).label)
    else:
        bill.to_refund += amount
        bill.save(update_fields=["to_refund"])
        logger.warning("Bill %s paid again (%s €): to refund", bill.number, amount)
    return payment


def _check_bill_family(bill: Bill, by) -> None:
    if not by.family_id or by.family_id != bill.family_id:
        raise PaymentError(_("Cette facture n'appartient pas à votre famille."))


def bill_card_payment_start(*, bill: Bill, by, return_origin: str = "") -> CardPayment:
    """A card payment for the bill's total — never an amount sent by the browser."""
    _check_bill_family(bill, by)
    if not selectors.card_enabled():
        raise PaymentError(_("Le paiement par carte n'est pas disponible pour le moment."))
    with transaction.atomic():
        locked = Bill.objects.select_for_update().get(pk=bill.pk)
        if not locked.is_open:
            raise PaymentError(_("Cette facture n'est pas à payer (état : %(state)s).")
                               % {"state": locked.get_status_display().lower()})
        return CardPayment.objects.create(
            variant=settings.CARD_PAYMENT_VARIANT, bill=locked, currency="EUR", total=locked.total,
            description=_("Facture %(number)s — %(month)s") % {
                "number": locked.number, "month": formats.date_format(locked.month, "F Y")},
            billing_first_name=by.first_name, billing_last_name=by.last_name, billing_email=by.email,
            billing_country_code="FR", return_origin=return_origin,
        )


def _bill_card_confirmed(card: CardPayment) -> Payment | None:
    bill = Bill.objects.select_for_update().get(pk=card.bill_id)
    refusal = ""
    if card.variant != settings.CARD_PAYMENT_VARIANT:
        refusal = _("prestataire inattendu")
    elif card.currency != "EUR" or card.total != bill.total or (
        card.captured_amount and card.captured_amount != card.total
    ):
        refusal = _("montant différent de la facture (%(amount)s attendus)") % {"amount": _amount_text(bill.total)}
    if refusal:
        card.refusal = refusal
        card.save(update_fields=["refusal"])
        logger.warning("Card payment %s not counted: %s", card.pk, refusal)
        return None
    now = timezone.now()
    card.counted_at = now
    card.save(update_fields=["counted_at"])
    # Money really taken: a bill paid meanwhile (cash, debit) keeps it « à rembourser ».
    return _bill_payment_record(bill=bill, mode=PaymentMode.CARD, amount=card.total, received_at=now, card=card)


def bill_for_cash(*, number: str) -> Bill | None:
    number = "".join((number or "").split()).upper()
    return Bill.objects.filter(number=number).select_related("family").first() if number else None


def bill_cash_record(*, bill: Bill, by, amount: Decimal, receipt_number: str,
                     received_at: dt.datetime | None = None) -> Payment:
    """A finance agent counted the cash a family brought for a bill (its
    number on the bill is the reference)."""
    receipt_number = "".join((receipt_number or "").split()).upper()
    if not receipt_number:
        raise PaymentError(_("Indiquez le numéro du reçu remis à la famille."), "receipt_number")
    received_at = received_at or timezone.now()
    try:
        with transaction.atomic():
            if Payment.objects.filter(receipt_number=receipt_number).exists():
                raise PaymentError(_("Le reçu n° %(number)s est déjà enregistré : vérifiez le numéro.")
                                   % {"number": receipt_number}, "receipt_number")
            locked = Bill.objects.select_for_update().get(pk=bill.pk)
            if not locked.is_open:
                raise PaymentError(_("La facture %(number)s n'est pas à payer (état : %(state)s) : n'encaissez "
                                     "rien.") % {"number": locked.number,
                                                 "state": locked.get_status_display().lower()}, "number")
            if amount != locked.total:
                raise PaymentError(_("Le montant ne correspond pas à la facture : %(expected)s sont attendus.")
                                   % {"expected": _amount_text(locked.total)}, "amount")
            return _bill_payment_record(bill=locked, mode=PaymentMode.CASH, amount=amount, received_at=received_at,
                                        by=by, receipt_number=receipt_number)
    except IntegrityError:
        raise PaymentError(_("Le reçu n° %(number)s est déjà enregistré : vérifiez le numéro.")
                           % {"number": receipt_number}, "receipt_number") from None


def bill_pdf(*, bill: Bill) -> bytes:
    return pdf.bill_pdf(bill=bill, lines=list(bill.lines.all()), cash_desk=selectors.payment_settings().cash_desk)


def bill_receipt_pdf(*, bill: Bill) -> bytes:
    if bill.status != BillStatus.PAID:
        raise PaymentError(_("Cette facture n'est pas encore payée."))
    return pdf.bill_receipt_pdf(bill=bill, payments=list(bill.payments.order_by("received_at", "pk")),
                                debits=list(bill.debits.exclude(status=DebitStatus.REJECTED)))


def bills_send_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind families of an unpaid bill 7 days and 1 day before its due
    date; each reminder has its own key, so running twice sends it once."""
    now = now or timezone.now()
    today = deadlines.local_today(now)
    sent = 0
    for bill in Bill.objects.filter(status=BillStatus.TO_PAY, total__gt=0, due_date__gte=today):
        eligible = [d for d in deadlines.REMINDER_DAYS_BEFORE if bill.due_date - dt.timedelta(days=d) <= today]
        if not eligible:
            continue
        days = min(eligible)
        dossier = _bill_dossier(bill)
        if dossier is None:
            continue
        with transaction.atomic():
            _notify_family(dossier, Event.PAYMENT_REMINDER, f"bill-{bill.pk}-reminder-{days}",
                           amount=bill.total, due_date=bill.due_date)
        sent += 1
    return sent


def bills_flag_overdue(*, now: dt.datetime | None = None) -> int:
    """After its due date, an unpaid bill is « en retard » (still payable)
    and the family is told, once: the bill is claimed by a conditional update."""
    now = now or timezone.now()
    flagged = 0
    for bill in Bill.objects.filter(status=BillStatus.TO_PAY, overdue_at__isnull=True):
        if now < deadlines.due_deadline(bill.month):
            continue
        with transaction.atomic():
            claimed = Bill.objects.filter(pk=bill.pk, status=BillStatus.TO_PAY, overdue_at__isnull=True).update(
                status=BillStatus.LATE, overdue_at=now)
            if not claimed:
                continue
            dossier = _bill_dossier(bill)
            if dossier is not None:
                _notify_family(dossier, Event.PAYMENT_OVERDUE, f"bill-{bill.pk}-overdue", amount=bill.total,
                               due_date=bill.due_date)
        flagged += 1
    return flagged


def fiscal_attestation_pdf(*, family, year: int, child_id: int) -> bytes | None:
    """The attestation fiscale of ``family``'s child ``child_id`` for the
    childcare paid in ``year``, from the editors' text; ``None`` when that
    child is not the family's, was 6 or more on the 1st of January, or had
    no childcare paid that year."""
    from workflows.attestation import render

    from .models import FiscalAttestationSettings

    entry = next((e for e in selectors.childcare_paid(family=family, year=year) if e.child.pk == child_id), None)
    if entry is None:
        return None
    template = FiscalAttestationSettings.load()
    creditor_name = selectors.payment_settings().creditor_name
    child_name = f"{entry.child.first_name} {entry.child.last_name}"
    values = {
        "enfant": child_name,
        "date_naissance": formats.date_format(entry.birth_date, "j F Y"),
        "famille": family.name,
        "montant": _amount_text(entry.amount),
        "annee": str(year),
        "gestionnaire": creditor_name,
        "date": formats.date_format(timezone.localdate(), "j F Y"),
    }
    return pdf.fiscal_attestation_pdf(
        title=template.title, body=render(template.body, values), signature=template.signature,
        creditor_name=creditor_name, family_name=family.name, child_name=child_name, birth_date=entry.birth_date,
        year=year, amount=entry.amount)
