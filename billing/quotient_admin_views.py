"""The finance agents' check of the quotients familiaux families declare,
in the Wagtail admin: the declarations to check, each with its CAF
attestation (served by the portal's one private-file response), validated
or refused with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import reservations
from .admin_views import _finance_only
from .forms import ReasonForm
from .reservation_views import attestation_response


def _declaration(request: HttpRequest, pk: int):
    declaration = reservations.quotient_for_finance(user=request.user, pk=pk)
    if declaration is None:
        raise Http404(_("Déclaration introuvable."))
    return declaration


@require_GET
@_finance_only
def quotients(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "billing/admin/quotients.html", {
        "pending": reservations.quotients_to_check(user=request.user),
        "checked": reservations.quotients_checked_recently(user=request.user),
    })


def _detail(request, declaration, *, form=None, status: int = 200):
    return TemplateResponse(request, "billing/admin/quotient.html", {
        "declaration": declaration, "refuse_form": form or ReasonForm(prefix="refuse"),
        "guardians": declaration.family.guardians.all(), "children": declaration.family.children.all(),
    }, status=status)


@require_GET
@_finance_only
def quotient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _declaration(request, pk))


@require_GET
@_finance_only
def quotient_document(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request, pk)
    if not declaration.document:
        raise Http404(_("Attestation introuvable."))
    return attestation_response(declaration)


@require_POST
@_finance_only
def quotient_validate(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request, pk)
    try:
        declaration = reservations.quotient_validate(declaration=declaration, by=request.user)
    except reservations.ReservationError as error:
        messages.error(request, error.message)
        return redirect("billing_admin:quotient", pk=pk)
    messages.success(request, _("Quotient familial de la famille %(family)s validé : il s'applique à partir de "
                                "%(month)s.") % {"family": declaration.family,
                                                 "month": formats.date_format(declaration.applies_from, "F Y")})
    return redirect("billing_admin:quotients")


@require_POST
@_finance_only
def quotient_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request, pk)
    form = ReasonForm(request.POST, prefix="refuse")
    if form.is_valid():
        try:
            reservations.quotient_refuse(declaration=declaration, by=request.user, reason=form.cleaned_data["reason"])
        except reservations.ReservationError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(request, _("Quotient familial de la famille %(family)s refusé.")
                             % {"family": declaration.family})
            return redirect("billing_admin:quotients")
    return _detail(request, declaration, form=form, status=400)
