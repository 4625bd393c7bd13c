"""The family's payment pages: the tariffs, the choice of mode, then the
mandate, the card payment or the cash slip. Every page
is found through the family's own dossier: another family gets a 404."""

from __future__ import annotations

from urllib.error import URLError

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from payments import PaymentError, PaymentStatus, RedirectNeeded

from files.responses import private_bytes_response
from forms.selectors import submission_for_user
from workflows.constants import DossierState
from workflows.selectors import attestation_for_family, dossier_for_family

from . import selectors, services
from .constants import ArrangementStatus, BillStatus, MandateStatus, PaymentMode
from .forms import ChooseForm, MandateForm, SignedMandateForm
from .models import CardPayment


def _dossier(request: HttpRequest, public_id, *, any_state: bool = False):
    """The family's own dossier with a payment; 404 unless its payment
    pages are open (``Dossier.payment_open``: never for a refused or
    withdrawn dossier)."""
    submission = submission_for_user(user=request.user, public_id=public_id)
    dossier = dossier_for_family(user=request.user, submission=submission) if submission else None
    if dossier is None or not dossier.payment_required:
        raise Http404(_("Dossier introuvable."))
    if not any_state and not dossier.payment_open:
        raise Http404(_("Aucun paiement n'est attendu pour ce dossier."))
    return dossier


def _pdf(content: bytes, filename: str) -> HttpResponse:
    return private_bytes_response(content, filename=filename, content_type="application/pdf")


def _page(request, dossier, *, choose_form=None, mandate_form=None, signed_form=None, status=200):
    arrangement = selectors.arrangement_for_family(user=request.user, dossier=dossier)
    can_choose = dossier.state == DossierState.AWAITING_PAYMENT and (
        arrangement is None or arrangement.status in (ArrangementStatus.CHOSEN, ArrangementStatus.REJECTED)
    )
    initial = {}
    if arrangement is not None:
        initial = {"tariff": arrangement.tariff_id, "first_month": arrangement.first_month.isoformat(),
                   "mode": arrangement.mode}
    mandate = selectors.current_mandate(dossier=dossier)
    return TemplateResponse(
        request,
        "billing/pay.html",
        {
            "dossier": dossier,
            "submission": dossier.submission,
            "terms": selectors.payment_terms(dossier=dossier) if dossier.payment_required else None,
            "tariffs": selectors.tariffs_for(dossier=dossier),
            "school_year": dossier.school_year,
            "arrangement": arrangement,
            "awaiting": dossier.state == DossierState.AWAITING_PAYMENT,
            "can_choose": can_choose,
            "choose_form": choose_form or ChooseForm(dossier=dossier, initial=initial),
            "mandate": mandate,
            "mandate_form": mandate_form or MandateForm(),
            "signed_form": signed_form or SignedMandateForm(),
            "payments": dossier.payments.all(),
            "cash_desk": selectors.payment_settings().cash_desk,
            "attestation": attestation_for_family(user=request.user, dossier=dossier),
            "Mode": PaymentMode,
            "MandateStatus": MandateStatus,
            "ArrangementStatus": ArrangementStatus,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _dossier(request, public_id, any_state=True)
    if not dossier.payment_open:
        messages.info(request, _("Aucun paiement n'est attendu pour ce dossier (état : %(state)s).")
                      % {"state": dossier.get_state_display()})
        return redirect("dossiers:family_dossier", public_id=public_id)
    if request.method == "GET":
        return _page(request, dossier)
    form = ChooseForm(request.POST, dossier=dossier)
    if form.is_valid():
        try:
            services.arrangement_choose(dossier=dossier, by=request.user, **form.cleaned_data)
        except services.PaymentError as error:
            error.add_to(form)
        else:
            messages.success(request, _("Votre choix est enregistré."))
            return redirect("billing:pay", public_id=public_id)
    return _page(request, dossier, choose_form=form, status=400)


@login_required
@require_POST
def mandate_create(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _dossier(request, public_id)
    form = MandateForm(request.POST)
    if form.is_valid():
        try:
            services.mandate_create(dossier=dossier, by=request.user, **form.cleaned_data)
        except services.PaymentError as error:
            error.add_to(form)
        else:
            messages.success(request, _("Votre mandat est prêt : téléchargez-le, signez-le et renvoyez-le."))
            return redirect("billing:pay", public_id=public_id)
    return _page(request, dossier, mandate_form=form, status=400)


@login_required
@require_GET
def mandate_pdf(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _dossier(request, public_id)
    mandate = selectors.current_mandate(dossier=dossier)
    if mandate is None:
        raise Http404(_("Mandat introuvable."))
    return _pdf(services.mandate_pdf(mandate=mandate), f"mandat-{mandate.reference}.pdf")


@login_required
@require_POST
def mandate_upload(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _dossier(request, public_id)
    mandate = selectors.current_mandate(dossier=dossier)
    if mandate is None:
        raise Http404(_("Mandat introuvable."))
    form = SignedMandateForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.mandate_upload_signed(mandate=mandate, by=request.user, upload=form.cleaned_data["document"])
        except services.PaymentError as error:
            error.add_to(form)
        else:
            messages.success(request, _("Mandat signé reçu : le service financier va le vérifier."))
            return redirect("billing:pay", public_id=public_id)
    return _page(request, dossier, signed_form=form, status=400)


def _request_origin(request: HttpRequest) -> str:
    """``scheme://host[:port]`` of this request when the host is one the
    portal serves (ALLOWED_HOSTS, a catch-all « * » excepted) — so that the
    payer comes back where they started (``make run PORT=8123``, a second
    domain) — else "" (the provider sends them to SITE_URL)."""
    from django.http.request import split_domain_port, validate_host

    host = request.get_host()  # already refused by Django if not in ALLOWED_HOSTS
    domain, _port = split_domain_port(host)
    allowed = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    if not domain or not validate_host(domain, allowed):
        return ""
    if settings.PAYMENT_USES_SSL and not request.is_secure():
        return ""  # never send a payer from HTTPS back to plain HTTP
    return f"{request.scheme}://{host}"


@login_required
@require_POST
def card_start(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _dossier(request, public_id)
    try:
        card = services.card_payment_start(dossier=dossier, by=request.user, return_origin=_request_origin(request))
    except services.PaymentError as error:
        messages.error(request, error.message)
        return redirect("billing:pay", public_id=public_id)
    return redirect("billing:card_pay", token=card.token)


def _card_payment(request: HttpRequest, token) -> CardPayment:
    card = CardPayment.objects.select_related("dossier__submission", "bill").filter(token=str(token)).first()
    owner = None if card is None else (card.bill.family_id if card.bill_id else card.dossier.family_id)
    if card is None or not request.user.family_id or owner != request.user.family_id:
        raise Http404(_("Paiement introuvable."))
    return card


@login_required
@require_http_methods(["GET", "POST"])
def card_pay(request: HttpRequest, token) -> HttpResponse:
    """The provider's page (for the development provider, a form where you
    pick the outcome; a real provider redirects to its own page)."""

    card = _card_payment(request, token)
    if card.status not in (PaymentStatus.WAITING, PaymentStatus.INPUT):
        messages.info(request, _("Ce paiement a déjà été traité."))
        return redirect("billing:card_return", token=card.token)
    try:
        form = card.get_form(data=request.POST or None)
    except RedirectNeeded as redirect_to:
        return redirect(str(redirect_to))
    except (PaymentError, URLError):
        # The provider failed (its error page, a broken connection): the
        # payment is marked in error and the return page says so — unless
        # the provider had confirmed it first, which stands.
        card.refresh_from_db()
        if card.status not in (PaymentStatus.CONFIRMED, PaymentStatus.PREAUTH):
            card.change_status(PaymentStatus.ERROR)
        return redirect("billing:card_return", token=card.token)
    if card.variant == "dummy":
        _french_dummy_form(form)
    return TemplateResponse(request, "billing/card_pay.html", {"card": card, "form": form,
                                                               "dossier": card.dossier, "bill": card.bill})


def _french_dummy_form(form) -> None:
    """The development provider's form is labelled in English by
    django-payments: the portal's words instead."""
    labels = {
        "status": _("Résultat du paiement"),
        "fraud_status": _("Contrôle anti-fraude"),
        "gateway_response": _("Réponse du prestataire"),
        "verification_result": _("Résultat après 3-D Secure"),
    }
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
    if "gateway_response" in form.fields:
        form.fields["gateway_response"].choices = [
            ("3ds-disabled", _("Sans 3-D Secure")),
            ("3ds-redirect", _("Avec 3-D Secure")),
            ("failure", _("Erreur de connexion au prestataire")),
            ("payment-error", _("Réponse du prestataire non prise en charge")),
        ]


CARD_OUTCOMES = {
    "paid": (_lazy("Paiement accepté"), "success"),
    "refused": (_lazy("Paiement refusé"), "error"),
    "pending": (_lazy("Paiement en attente"), "warning"),
    "error": (_lazy("Erreur de paiement"), "error"),
}


@login_required
@require_GET
def card_return(request: HttpRequest, token) -> HttpResponse:
    """Where the provider sends the family back: a page that says whether the
    payment worked. It only reads what the provider's confirmation did:
    coming here never makes a payment count."""

    card = _card_payment(request, token)
    card.refresh_from_db()
    if card.counted_at:
        outcome = "paid"
        text = (_("Paiement par carte accepté : merci. Votre facture est payée.") if card.bill_id else
                _("Paiement par carte accepté : merci. Le règlement est enregistré sur votre dossier."))
    elif card.refusal:
        outcome = "error"
        text = _("Paiement reçu mais non pris en compte (%(why)s) : le service financier vous remboursera.") % {
            "why": card.refusal}
    elif card.status == PaymentStatus.REJECTED:
        outcome = "refused"
        text = _("Le paiement par carte a été refusé : il n'a pas abouti et rien n'a été débité. Vous pouvez "
                 "réessayer ou choisir un autre mode.")
    elif card.status in (PaymentStatus.ERROR, PaymentStatus.CANCELLED, PaymentStatus.REFUNDED):
        outcome = "error"
        text = _("Le paiement par carte n'a pas abouti à cause d'une erreur : rien n'a été débité. Vous pouvez "
                 "réessayer ou choisir un autre mode.")
    elif card.status in (PaymentStatus.CONFIRMED, PaymentStatus.PREAUTH):
        outcome = "pending"
        text = _("Le prestataire a accepté le paiement ; son enregistrement sur votre dossier est en cours. "
                 "Rechargez cette page dans un instant.")
    else:
        outcome = "pending"
        text = _("Le paiement par carte n'a pas abouti pour l'instant : rien n'a été débité. Vous pouvez le "
                 "reprendre, ou choisir un autre mode.")
    title, tone = CARD_OUTCOMES[outcome]
    if card.bill_id:
        bill = card.bill
        bill.refresh_from_db()
        return TemplateResponse(request, "billing/bill_card_return.html", {
            "card": card, "bill": bill, "outcome": outcome, "outcome_title": title, "outcome_text": text,
            "tone": tone, "can_retry": outcome != "paid" and bill.is_open
            and card.status in (PaymentStatus.WAITING, PaymentStatus.INPUT),
        })
    dossier = card.dossier
    return TemplateResponse(request, "billing/card_return.html", {
        "card": card, "dossier": dossier, "submission": dossier.submission, "outcome": outcome,
        "outcome_title": title, "outcome_text": text, "tone": tone,
        "can_retry": outcome != "paid" and dossier.state == DossierState.AWAITING_PAYMENT
        and card.status in (PaymentStatus.WAITING, PaymentStatus.INPUT),
    })


@login_required
@require_GET
def cash_slip(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _dossier(request, public_id)
    arrangement = selectors.arrangement_for_family(user=request.user, dossier=dossier)
    if arrangement is None or arrangement.mode != PaymentMode.CASH:
        raise Http404(_("Bordereau introuvable."))
    return _pdf(services.cash_slip_pdf(dossier=dossier), f"bordereau-{dossier.reference}.pdf")


# --- Bills (« Mes factures ») -------------------------------------------------------------------------


def _bill(request: HttpRequest, number: str):
    bill = selectors.bill_for_family(user=request.user, number=number)
    if bill is None:
        raise Http404(_("Facture introuvable."))
    return bill


@login_required
@require_GET
def bills(request: HttpRequest) -> HttpResponse:
    if not request.user.family_id:
        raise Http404(_("Seules les familles ont des factures."))
    return TemplateResponse(request, "billing/bills.html", {
        "bills": selectors.bills_for_family(user=request.user), "BillStatus": BillStatus})


@login_required
@require_GET
def bill_detail(request: HttpRequest, number: str) -> HttpResponse:
    bill = _bill(request, number)
    return TemplateResponse(request, "billing/bill.html", {
        "bill": bill, "lines": list(bill.lines.all()), "BillStatus": BillStatus,
        "card_enabled": selectors.card_enabled(), "cash_desk": selectors.payment_settings().cash_desk,
        "payments": bill.payments.order_by("received_at", "pk"),
    })


@login_required
@require_GET
def bill_pdf(request: HttpRequest, number: str) -> HttpResponse:
    bill = _bill(request, number)
    return _pdf(services.bill_pdf(bill=bill), f"facture-{bill.number}.pdf")


@login_required
@require_GET
def bill_receipt(request: HttpRequest, number: str) -> HttpResponse:
    bill = _bill(request, number)
    if bill.status != BillStatus.PAID:
        raise Http404(_("Cette facture n'est pas encore payée."))
    return _pdf(services.bill_receipt_pdf(bill=bill), f"recu-{bill.number}.pdf")


@login_required
@require_POST
def bill_card_start(request: HttpRequest, number: str) -> HttpResponse:
    bill = _bill(request, number)
    try:
        card = services.bill_card_payment_start(bill=bill, by=request.user, return_origin=_request_origin(request))
    except services.PaymentError as error:
        messages.error(request, error.message)
        return redirect("billing:bill", number=bill.number)
    return redirect("billing:card_pay", token=card.token)


# --- Attestations fiscales (frais de garde des enfants de moins de 6 ans) ---------------------------------


def _family(request: HttpRequest):
    if not request.user.family_id:
        raise Http404(_("Seules les familles ont des attestations fiscales."))
    return request.user.family


@login_required
@require_GET
def fiscal_attestations(request: HttpRequest) -> HttpResponse:
    family = _family(request)
    return TemplateResponse(request, "billing/fiscal_attestations.html", {
        "years": selectors.childcare_years(family=family)})


@login_required
@require_GET
def fiscal_attestation_pdf(request: HttpRequest, year: int, child_id: int) -> HttpResponse:
    family = _family(request)
    content = services.fiscal_attestation_pdf(family=family, year=year, child_id=child_id)
    if content is None:
        raise Http404(_("Attestation introuvable."))
    return _pdf(content, f"attestation-fiscale-{year}-{child_id}.pdf")
