"""The finance agents' workspace, in the Wagtail admin: mandates to check,
cash to record, overdue dossiers, card payments to refund, and the monthly
SEPA export with rejected debits. Scoped like the directors' workspace
(``workflows.selectors.dossiers_for_staff``) and audited in the dossier's
history (reads of a dossier and of its signed mandate, every decision)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from files.constants import FILE_KINDS
from files.responses import private_bytes_response, private_file_response
from workflows.services import dossier_record_view

from . import deadlines, selectors, services
from .constants import DebitStatus, MandateStatus
from .forms import BillCashForm, CashForm, ExportForm, ReasonForm


def _finance_only(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not selectors.is_finance_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _month(request: HttpRequest) -> dt.date:
    raw = request.GET.get("mois", "")
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        today = timezone.localdate()
        # The month whose due date comes next.
        return (deadlines.first_of_month(today) + dt.timedelta(days=32 if today.day <= 20 else 63)).replace(day=1)


@require_GET
@_finance_only
def index(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    debits = list(selectors.debits_for_month(user=request.user, month=month))
    return TemplateResponse(
        request,
        "billing/admin/index.html",
        {
            "mandates": selectors.mandates_to_check(user=request.user),
            "revoked": selectors.mandates_revoked_recently(user=request.user),
            "cash": selectors.cash_to_record(user=request.user),
            "overdue": selectors.overdue_dossiers(user=request.user),
            "not_counted": selectors.card_payments_not_counted(user=request.user),
            "bills_to_refund": selectors.bills_to_refund(user=request.user),
            "month": month,
            "debits": debits,
            # What the month's pain.008 file holds (``services.debits_file``).
            "exported_count": sum(1 for d in debits if d.status == DebitStatus.EXPORTED
                                  and d.mandate.status == MandateStatus.VALIDATED),
            "export_form": ExportForm(initial={"month": month}),
            "reject_form": ReasonForm(prefix="reject"),
        },
    )


def _mandate(request: HttpRequest, pk: int):
    mandate = selectors.mandate_for_finance(user=request.user, pk=pk)
    if mandate is None:
        raise Http404(_("Mandat introuvable."))
    return mandate


@require_GET
@_finance_only
def mandate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = _mandate(request, pk)
    dossier_record_view(dossier=mandate.dossier, by=request.user)
    return TemplateResponse(request, "billing/admin/mandate.html",
                            {"mandate": mandate, "dossier": mandate.dossier, "refuse_form": ReasonForm(prefix="refuse")})


@require_GET
@_finance_only
def mandate_document(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = _mandate(request, pk)
    if not mandate.signed_document:
        raise Http404(_("Mandat signé introuvable."))
    extension = mandate.signed_document.name.rsplit(".", 1)[-1]
    content_type = FILE_KINDS.get(extension, FILE_KINDS["pdf"])["mime"]
    response = private_file_response(mandate.signed_document, filename=f"mandat-{mandate.reference}.{extension}",
                                     content_type=content_type, inline=True)
    dossier_record_view(dossier=mandate.dossier, by=request.user,
                        document_name=_("Mandat signé %(ref)s") % {"ref": mandate.reference})
    return response


@require_POST
@_finance_only
def mandate_validate(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = _mandate(request, pk)
    try:
        services.mandate_validate(mandate=mandate, by=request.user)
    except services.PaymentError as error:
        messages.error(request, error.message)
        return redirect("billing_admin:mandate", pk=pk)
    messages.success(request, _("Mandat %(ref)s validé : le dossier %(dossier)s est confirmé.")
                     % {"ref": mandate.reference, "dossier": mandate.dossier.reference})
    return redirect("billing_admin:index")


@require_POST
@_finance_only
def mandate_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = _mandate(request, pk)
    form = ReasonForm(request.POST, prefix="refuse")
    if form.is_valid():
        try:
            services.mandate_refuse(mandate=mandate, by=request.user, reason=form.cleaned_data["reason"])
        except services.PaymentError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(request, _("Mandat %(ref)s refusé ; la famille en est informée.") % {"ref": mandate.reference})
            return redirect("billing_admin:index")
    return TemplateResponse(request, "billing/admin/mandate.html",
                            {"mandate": mandate, "dossier": mandate.dossier, "refuse_form": form}, status=400)


@require_http_methods(["GET", "POST"])
@_finance_only
def cash(request: HttpRequest, dossier_pk: int) -> HttpResponse:
    dossier = selectors.finance_dossiers(user=request.user).filter(pk=dossier_pk).first()
    if dossier is None:
        raise Http404(_("Dossier introuvable."))
    form = CashForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                amount = services.parse_amount(form.cleaned_data["amount"])
                services.cash_record(dossier=dossier, by=request.user, amount=amount,
                                     receipt_number=form.cleaned_data["receipt_number"])
            except services.PaymentError as error:
                error.add_to(form)
            else:
                messages.success(request, _("Paiement en espèces enregistré : le dossier %(ref)s est confirmé.")
                                 % {"ref": dossier.reference})
                return redirect("billing_admin:index")
    else:
        dossier_record_view(dossier=dossier, by=request.user)
    return TemplateResponse(
        request, "billing/admin/cash.html",
        {"dossier": dossier, "form": form, "terms": selectors.payment_terms(dossier=dossier)}, status=status,
    )


@require_POST
@_finance_only
def export(request: HttpRequest) -> HttpResponse:
    """Record the month's debits, then back to the month's page — which
    lists them at once and offers the file — rather than answering the POST
    with the file: a download leaves the page as it was, still saying
    « Aucun prélèvement exporté » until it is reloaded."""
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("month", [_("Choisissez le mois.")])))
        return redirect("billing_admin:index")
    month = form.cleaned_data["month"]
    back = reverse("billing_admin:index") + f"?mois={month:%Y-%m}"
    try:
        _xml, count = services.debits_export(month=month, by=request.user)
    except services.PaymentError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, ngettext(
        "%(count)d prélèvement exporté pour %(month)s : téléchargez le fichier pain.008 ci-dessous.",
        "%(count)d prélèvements exportés pour %(month)s : téléchargez le fichier pain.008 ci-dessous.", count,
    ) % {"count": count, "month": formats.date_format(month, "F Y")})
    return redirect(back)


@require_GET
@_finance_only
def export_file(request: HttpRequest, month: str) -> HttpResponse:
    """The pain.008 file of the debits already exported for ``month`` (YYYY-MM)."""
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise Http404(_("Mois inconnu.")) from None
    try:
        xml, count = services.debits_file(month=first)
    except services.PaymentError as error:
        raise Http404(error.message) from None
    response = private_bytes_response(xml, filename=f"prelevements-{first:%Y-%m}.xml",
                                      content_type="application/xml; charset=utf-8")
    response["X-Debit-Count"] = str(count)
    return response


@require_POST
@_finance_only
def debit_reject(request: HttpRequest, pk: int) -> HttpResponse:
    debit = selectors.debit_for_finance(user=request.user, pk=pk)
    if debit is None:
        raise Http404(_("Prélèvement introuvable."))
    back = reverse("billing_admin:index") + f"?mois={debit.month:%Y-%m}"
    form = ReasonForm(request.POST, prefix="reject")
    if not form.is_valid():
        messages.error(request, _("Indiquez le motif du rejet donné par la banque."))
        return redirect(back)
    try:
        services.debit_reject(debit=debit, by=request.user, reason=form.cleaned_data["reason"])
    except services.PaymentError as error:
        messages.error(request, error.message)
    else:
        if debit.bill_id:
            messages.success(request, _("Prélèvement marqué rejeté : la facture %(number)s est de nouveau à payer.")
                             % {"number": debit.bill.number})
        else:
            messages.success(request, _("Prélèvement marqué rejeté : le dossier %(ref)s attend de nouveau le "
                                        "paiement.") % {"ref": debit.mandate.dossier.reference})
    return redirect(back)


@require_http_methods(["GET", "POST"])
@_finance_only
def bill_cash(request: HttpRequest) -> HttpResponse:
    """Cash brought to the desk for a bill: the agent types the bill's number
    (its reference), the amount and the receipt number."""
    form = BillCashForm(request.POST or None, initial={"number": request.GET.get("facture", "")})
    bill = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            bill = selectors.bill_for_finance(user=request.user, number=form.cleaned_data["number"])
            if bill is None:
                form.add_error("number", _("Aucune facture avec ce numéro."))
            else:
                try:
                    amount = services.parse_amount(form.cleaned_data["amount"])
                    services.bill_cash_record(bill=bill, by=request.user, amount=amount,
                                              receipt_number=form.cleaned_data["receipt_number"])
                except services.PaymentError as error:
                    error.add_to(form)
                else:
                    messages.success(request, _("Paiement en espèces enregistré : la facture %(number)s est payée.")
                                     % {"number": bill.number})
                    return redirect("billing_admin:index")
    return TemplateResponse(request, "billing/admin/bill_cash.html", {"form": form, "bill": bill}, status=status)
