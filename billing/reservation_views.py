"""The family's pages of consumption: « Réservations » (a month calendar
per child and service, one form per day, usable without JavaScript), the
absences of a locked month, and the quotient familial with its CAF
attestation. Only the family's own confirmed dossiers: another family's is
a 404."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.school_year import school_year_months
from files.constants import FILE_KINDS
from files.responses import private_file_response
from notifications.formats import date_fr

from . import clock, consumption, deadlines, reservations, selectors
from .constants import QuotientStatus
from .reservation_forms import ADD, AbsenceForm, DayForm, QuotientForm


class _NoCalendar(Exception):
    """The school year's calendar is not entered yet: no day can be shown."""

    def __init__(self, dossier):
        self.dossier = dossier


def _dossier_and_service(request: HttpRequest, public_id, service_id: int):
    dossier = reservations.dossier_for_reservations(user=request.user, public_id=public_id)
    if dossier is None:
        raise Http404(_("Dossier introuvable."))
    service = next((s for s in reservations.reservable_services(dossier=dossier) if s.pk == service_id), None)
    if service is None:
        raise Http404(_("Ce service n'est pas ouvert à ce dossier."))
    if selectors.school_calendar(school_year=dossier.school_year) is None:
        raise _NoCalendar(dossier)
    return dossier, service


def _calendar_required(view):
    """Until editors enter the school year's calendar, the month pages say
    so instead of failing."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _NoCalendar as missing:
            return TemplateResponse(request, "billing/reservations_no_calendar.html",
                                    {"dossier": missing.dossier}, status=200 if request.method == "GET" else 409)
    return wrapper


def _month(request: HttpRequest, dossier, now: dt.datetime) -> dt.date:
    raw = request.GET.get("mois") or request.POST.get("mois") or ""
    try:
        month = dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return reservations.default_month(dossier=dossier, now=now)
    months = school_year_months(dossier.school_year)
    return month if month in months else reservations.default_month(dossier=dossier, now=now)


def _month_url(dossier, service, month: dt.date) -> str:
    return reverse("billing:reservation_month", kwargs={"public_id": dossier.submission.public_id,
                                                        "service_id": service.pk}) + f"?mois={month:%Y-%m}"


def _page(request, dossier, service, month, *, now, error: str = "", absence_form=None, status: int = 200):
    calendar = reservations.month_calendar(dossier=dossier, service=service, month=month, now=now)
    reasons = service.allowed_absence_reasons
    if absence_form is None and calendar.absence_days and reasons:
        absence_form = AbsenceForm(days=calendar.absence_days, reasons=reasons)
    return TemplateResponse(request, "billing/reservation_month.html", {
        "dossier": dossier, "service": service, "calendar": calendar, "error": error,
        "locked_message": reservations.locked_message(calendar.month) if calendar.locked else "",
        "absence_form": absence_form if calendar.absence_days and reasons else None,
        "month_url": lambda m: _month_url(dossier, service, m), "date_fr": date_fr,
    }, status=status)


@login_required
@require_GET
def reservations_index(request: HttpRequest) -> HttpResponse:
    if not request.user.family_id:
        raise Http404(_("Seules les familles réservent des jours."))
    return TemplateResponse(request, "billing/reservations.html", {
        "rows": reservations.family_reservations(user=request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
@_calendar_required
def reservation_month(request: HttpRequest, public_id, service_id: int) -> HttpResponse:
    """GET: the month's calendar. POST: one day reserved or cancelled."""
    dossier, service = _dossier_and_service(request, public_id, service_id)
    now = clock.now()
    if request.method == "GET":
        return _page(request, dossier, service, _month(request, dossier, now), now=now)
    form = DayForm(request.POST)
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
        return _page(request, dossier, service, _month(request, dossier, now), now=now, error=error, status=400)
    day, action = form.cleaned_data["day"], form.cleaned_data["action"]
    change = reservations.reservation_add if action == ADD else reservations.reservation_cancel
    try:
        change(dossier=dossier, service=service, day=day, by=request.user, now=now)
    except reservations.ReservationError as error:
        month = day.replace(day=1)
        if month not in school_year_months(dossier.school_year):
            month = _month(request, dossier, now)
        return _page(request, dossier, service, month, now=now, error=error.message, status=400)
    if action == ADD:
        messages.success(request, _("%(day)s : réservé.") % {"day": date_fr(day)})
    else:
        messages.success(request, _("%(day)s : annulé.") % {"day": date_fr(day)})
    return redirect(_month_url(dossier, service, day.replace(day=1)) + f"#jour-{day:%Y-%m-%d}")


@login_required
@require_POST
@_calendar_required
def absence_declare(request: HttpRequest, public_id, service_id: int) -> HttpResponse:
    dossier, service = _dossier_and_service(request, public_id, service_id)
    now = clock.now()
    month = _month(request, dossier, now)
    calendar = reservations.month_calendar(dossier=dossier, service=service, month=month, now=now)
    form = AbsenceForm(request.POST, request.FILES, days=calendar.absence_days,
                       reasons=service.allowed_absence_reasons)
    if form.is_valid():
        try:
            absence = reservations.absence_declare(
                dossier=dossier, service=service, day=form.cleaned_data["day"], reason=form.cleaned_data["reason"],
                upload=form.cleaned_data.get("document"), by=request.user, now=now)
        except reservations.ReservationError as error:
            error.add_to(form)
        else:
            messages.success(request, _("Absence du %(day)s enregistrée : elle sera déduite de la facture de "
                                        "%(month)s.") % {"day": date_fr(absence.day),
                                                         "month": date_fr(absence.credited_on, mois=True)})
            return redirect(_month_url(dossier, service, month))
    return _page(request, dossier, service, month, now=now, absence_form=form, status=400)


def _quotient_page(request, *, form=None, status: int = 200):
    family = request.user.family
    declarations = list(reservations.quotient_declarations(family=family))
    pending = next((d for d in declarations if d.status == QuotientStatus.PENDING), None)
    return TemplateResponse(request, "billing/quotient.html", {
        "declarations": declarations, "pending": pending, "form": form or QuotientForm(),
        "current": consumption.family_quotient(
            family=family, month=deadlines.first_unbilled_month(clock.now())),
        "QuotientStatus": QuotientStatus,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def quotient(request: HttpRequest) -> HttpResponse:
    if not request.user.family_id:
        raise Http404(_("Votre compte n'est rattaché à aucune famille."))
    if request.method == "GET":
        return _quotient_page(request)
    form = QuotientForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            value = reservations.parse_quotient(form.cleaned_data["value"])
            reservations.quotient_declare(family=request.user.family, value=value,
                                          upload=form.cleaned_data["document"], by=request.user)
        except reservations.ReservationError as error:
            error.add_to(form)
        else:
            messages.success(request, _("Votre quotient familial est envoyé : le service financier va vérifier "
                                        "l'attestation."))
            return redirect("billing:quotient")
    return _quotient_page(request, form=form, status=400)


@login_required
@require_GET
def quotient_document(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = reservations.quotient_for_family(user=request.user, pk=pk)
    if declaration is None or not declaration.document:
        raise Http404(_("Attestation introuvable."))
    return attestation_response(declaration)


def attestation_response(declaration) -> HttpResponse:
    """The CAF attestation, through the portal's one private-file response
    (the family's page and the finance agent's)."""
    extension = declaration.document.name.rsplit(".", 1)[-1]
    content_type = declaration.document_type or FILE_KINDS.get(extension, FILE_KINDS["pdf"])["mime"]
    return private_file_response(declaration.document, filename=f"attestation-caf-{declaration.pk}.{extension}",
                                 content_type=content_type, inline=True)

