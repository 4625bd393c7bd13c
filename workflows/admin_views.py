"""The staff workspace, inside the Wagtail admin: the dossiers of the
user's schools, a dossier page with the answers, documents and history, and
the decisions. Views only read the request, call a selector or a service,
and answer."""

from __future__ import annotations

import django_filters
from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from accounts.constants import SchoolLevel
from forms.selectors import submission_documents, submission_summary

from . import selectors, services
from .constants import DossierState
from .models import Dossier

PAGE_SIZE = 25
PREVIEWABLE = {"application/pdf", "image/jpeg", "image/png"}


def _workspace_only(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not selectors.is_workspace_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class DossierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Enfant ou famille"), method="search")
    state = django_filters.ChoiceFilter(label=gettext_lazy("État"), choices=DossierState.choices)
    level = django_filters.ChoiceFilter(
        label=gettext_lazy("Niveau"), field_name="child__level", choices=SchoolLevel.choices
    )
    school = django_filters.ModelChoiceFilter(label=gettext_lazy("École"), queryset=None)
    submitted_from = django_filters.DateFilter(
        label=gettext_lazy("Déposé à partir du"), field_name="submitted_at", lookup_expr="date__gte",
        widget=django_forms.DateInput(attrs={"type": "date"}),
    )
    submitted_to = django_filters.DateFilter(
        label=gettext_lazy("Déposé jusqu'au"), field_name="submitted_at", lookup_expr="date__lte",
        widget=django_forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Dossier
        fields = []

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["school"].queryset = schools

    def search(self, queryset, name, value):
        terms = value.split()
        for term in terms[:5]:
            queryset = queryset.filter(
                Q(child__first_name__icontains=term)
                | Q(child__last_name__icontains=term)
                | Q(family__name__icontains=term)
                | Q(reference__icontains=term)
            )
        return queryset


def _schools_of(dossiers):
    from cms.models import School

    return School.objects.filter(pk__in=dossiers.values("school_id")).order_by("name")


@require_GET
@_workspace_only
def index(request: HttpRequest) -> HttpResponse:
    dossiers = selectors.dossiers_for_staff(user=request.user)
    filterset = DossierFilter(request.GET or None, queryset=dossiers, schools=_schools_of(dossiers))
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else dossiers
    page = Paginator(queryset.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    return TemplateResponse(
        request,
        "workflows/admin/index.html",
        {
            "filter": filterset,
            "page_obj": page,
            "query_string": query.urlencode(),
            "waiting": selectors.waiting_count(user=request.user),
        },
    )


class DecisionForm(django_forms.Form):
    comment = django_forms.CharField(
        label=gettext_lazy("Commentaire"), widget=django_forms.Textarea(attrs={"rows": 3}), required=False,
        max_length=5000,
    )


class MessageForm(django_forms.Form):
    body = django_forms.CharField(
        label=gettext_lazy("Message à la famille"), widget=django_forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


def _detail_context(request: HttpRequest, dossier: Dossier, **forms) -> dict:
    documents = submission_documents(submission=dossier.submission)
    return {
        "dossier": dossier,
        "summary": submission_summary(submission=dossier.submission, documents=documents),
        "documents": documents.values(),
        "previewable": PREVIEWABLE,
        "history": selectors.history(dossier=dossier, include_reads=True),
        "can_decide": selectors.can_decide(user=request.user, dossier=dossier)
        and dossier.state == DossierState.SUBMITTED,
        "forms": {
            "validate": forms.get("validate") or DecisionForm(prefix="validate"),
            "refuse": forms.get("refuse") or DecisionForm(prefix="refuse"),
            "correct": forms.get("correct") or DecisionForm(prefix="correct"),
            "message": forms.get("message") or MessageForm(prefix="message"),
        },
    }


def _staff_dossier(request: HttpRequest, pk: int) -> Dossier:
    dossier = selectors.dossier_for_staff(user=request.user, pk=pk)
    if dossier is None:
        raise Http404(_("Dossier introuvable."))
    return dossier


@require_GET
@_workspace_only
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _staff_dossier(request, pk)
    services.dossier_record_view(dossier=dossier, by=request.user)
    return TemplateResponse(request, "workflows/admin/detail.html", _detail_context(request, dossier))


DECISIONS = {
    "validate": (lambda d, by, text: services.dossier_validate(dossier=d, by=by, comment=text),
                 gettext_lazy("Le dossier %(ref)s est validé.")),
    "refuse": (lambda d, by, text: services.dossier_refuse(dossier=d, by=by, reason=text),
               gettext_lazy("Le dossier %(ref)s est refusé.")),
    "correct": (lambda d, by, text: services.dossier_request_correction(dossier=d, by=by, message=text),
                gettext_lazy("Les compléments sont demandés à la famille (dossier %(ref)s).")),
}


@require_POST
@_workspace_only
def decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in DECISIONS:
        raise Http404
    dossier = _staff_dossier(request, pk)
    if not selectors.can_decide(user=request.user, dossier=dossier):
        raise Http404(_("Dossier introuvable."))
    if decision == "correct" and not dossier.corrections_allowed:
        messages.error(request, _("Cette démarche ne prévoit pas de demande de compléments."))
        return redirect("workflows_admin:detail", pk=dossier.pk)
    form = DecisionForm(request.POST, prefix=decision)
    if form.is_valid():
        action, success = DECISIONS[decision]
        try:
            action(dossier, request.user, form.cleaned_data["comment"])
        except services.DossierAlreadyDecided as error:
            messages.error(request, error.message)
            return redirect("workflows_admin:detail", pk=dossier.pk)
        except services.DossierError as error:
            form.add_error("comment", error.message)
        else:
            messages.success(request, success % {"ref": dossier.reference})
            return redirect("workflows_admin:detail", pk=dossier.pk)
    return TemplateResponse(
        request, "workflows/admin/detail.html", _detail_context(request, dossier, **{decision: form}), status=400
    )


@require_POST
@_workspace_only
def message(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _staff_dossier(request, pk)
    form = MessageForm(request.POST, prefix="message")
    if form.is_valid():
        try:
            services.dossier_message_post(dossier=dossier, by=request.user, body=form.cleaned_data["body"])
        except services.DossierError as error:
            form.add_error("body", error.message)
        else:
            messages.success(request, _("Message envoyé à la famille."))
            return redirect("workflows_admin:detail", pk=dossier.pk)
    return TemplateResponse(
        request, "workflows/admin/detail.html", _detail_context(request, dossier, message=form), status=400
    )


@require_POST
@_workspace_only
def validate_many(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("dossier") if i.isdigit()][:PAGE_SIZE * 4]
    dossiers = [
        d for d in selectors.dossiers_for_staff(user=request.user).filter(pk__in=ids)
        if selectors.can_decide(user=request.user, dossier=d)
    ]
    if not dossiers:
        messages.error(request, _("Cochez au moins un dossier que vous pouvez valider."))
        return redirect(reverse("workflows_admin:index") + "?" + request.POST.get("query", ""))
    done, failed = services.dossiers_validate_many(dossiers=dossiers, by=request.user)
    if done:
        messages.success(request, _("%(count)d dossier(s) validé(s).") % {"count": len(done)})
    for dossier, reason in failed:
        messages.warning(request, f"{dossier.reference} : {reason}")
    return redirect(reverse("workflows_admin:index") + "?" + request.POST.get("query", ""))


@require_GET
@_workspace_only
@xframe_options_sameorigin
def document(request: HttpRequest, pk: int, document_id) -> HttpResponse:
    """A document of the dossier, shown inline when it is a PDF or an image
    (the dossier page embeds it), recorded in the dossier's history."""
    dossier = _staff_dossier(request, pk)
    document = dossier.submission.documents.filter(public_id=document_id).first()
    if document is None:
        raise Http404(_("Document introuvable."))
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Document introuvable.")) from None
    services.dossier_record_view(dossier=dossier, by=request.user, document_name=document.original_name)
    inline = document.content_type in PREVIEWABLE and not request.GET.get("telecharger")
    response = FileResponse(
        handle, content_type=document.content_type, as_attachment=not inline, filename=document.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'self'; sandbox"
    return response
