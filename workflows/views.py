"""The family's side of a dossier: where it stands, its history and
messages, the one action expected now, and withdrawal."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from files.responses import private_file_response

from forms.selectors import submission_for_user, submissions_for_family

from . import selectors, services
from .constants import FINAL_STATES


class FamilyMessageForm(django_forms.Form):
    body = django_forms.CharField(
        label=gettext_lazy("Votre message à l'école"), widget=django_forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class WithdrawForm(django_forms.Form):
    reason = django_forms.CharField(
        label=gettext_lazy("Pourquoi retirez-vous ce dossier ?"), required=False, max_length=1000,
        widget=django_forms.Textarea(attrs={"rows": 2}),
    )
    confirm = django_forms.BooleanField(
        label=gettext_lazy("Je confirme vouloir retirer ce dossier : il ne sera plus examiné."),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer le retrait.")},
    )


def _family_dossier(request: HttpRequest, public_id):
    submission = submission_for_user(user=request.user, public_id=public_id)
    dossier = selectors.dossier_for_family(user=request.user, submission=submission) if submission else None
    if dossier is None:
        raise Http404(_("Dossier introuvable."))
    return dossier


def _page(request: HttpRequest, dossier, *, message_form=None, withdraw_form=None, status=200) -> HttpResponse:
    from notifications.selectors import notifications_for

    return TemplateResponse(
        request,
        "workflows/family_dossier.html",
        {
            "dossier": dossier,
            "submission": dossier.submission,
            "history": selectors.history(dossier=dossier, include_reads=False),
            "expected": selectors.expected_family_action(dossier=dossier, submission=dossier.submission),
            "stages": selectors.stage_progress(dossier=dossier),
            "notifications": notifications_for(about=dossier).filter(family_id=dossier.family_id),
            "can_withdraw": dossier.state not in FINAL_STATES,
            "message_form": message_form or FamilyMessageForm(),
            "withdraw_form": withdraw_form or WithdrawForm(),
        },
        status=status,
    )


@login_required
@require_GET
@xframe_options_sameorigin
def document(request: HttpRequest, public_id) -> HttpResponse:
    """A dossier's document, for its family or for the staff who may see the
    dossier (whose dossier page embeds it: PDFs and images are shown
    inline). Every staff read is in the dossier's history."""
    found = selectors.document_for(user=request.user, public_id=public_id)
    if found is None:
        raise Http404(_("Document introuvable."))
    document, audited = found
    response = private_file_response(document.file, filename=document.original_name,
                                     content_type=document.content_type, inline=not request.GET.get("telecharger"))
    if audited is not None:
        services.dossier_record_view(dossier=audited, by=request.user, document_name=document.original_name)
    return response


@login_required
@require_http_methods(["GET"])
def family_list(request: HttpRequest) -> HttpResponse:
    """« Mes dossiers »: drafts and submitted dossiers, each with where it
    stands and what the family has to do."""
    family = request.user.family if request.user.family_id else None
    rows = []
    if family is not None:
        for submission in submissions_for_family(family=family).select_related("dossier"):
            dossier = getattr(submission, "dossier", None)
            rows.append((submission, dossier, selectors.expected_family_action(dossier=dossier, submission=submission)))
    return TemplateResponse(
        request,
        "workflows/family_list.html",
        {"family": family, "rows": rows, "open_pages": selectors.open_procedures() if family else []},
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_dossier(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _family_dossier(request, public_id)
    if request.method == "POST":
        form = FamilyMessageForm(request.POST)
        if form.is_valid():
            try:
                services.dossier_message_post(dossier=dossier, by=request.user, body=form.cleaned_data["body"])
            except services.DossierError as error:
                form.add_error("body", error.message)
            else:
                messages.success(request, _("Votre message a été transmis à l'école."))
                return redirect("dossiers:family_dossier", public_id=public_id)
        return _page(request, dossier, message_form=form, status=400)
    services.dossier_messages_read(dossier=dossier, by_school=False)
    return _page(request, dossier)


@login_required
@require_GET
def attestation(request: HttpRequest, public_id) -> HttpResponse:
    """The attestation d'inscription of a confirmed dossier, for its family."""
    dossier = _family_dossier(request, public_id)
    found = selectors.attestation_for_family(user=request.user, dossier=dossier)
    if found is None:
        raise Http404(_("Attestation introuvable."))
    return private_file_response(found.file, filename=f"attestation-{dossier.reference}.pdf",
                                 content_type="application/pdf")


@login_required
@require_POST
def family_withdraw(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _family_dossier(request, public_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.dossier_withdraw(dossier=dossier, by=request.user, reason=form.cleaned_data["reason"])
        except services.DossierError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Votre dossier a été retiré."))
        return redirect("dossiers:family_dossier", public_id=public_id)
    return _page(request, dossier, withdraw_form=form, status=400)
