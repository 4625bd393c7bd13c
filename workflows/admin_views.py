"""The staff workspace, inside the Wagtail admin: the dossiers of the
user's schools, a dossier page with the answers, documents and history, and
the decisions. Views only read the request, call a selector or a service,
and answer."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.constants import SchoolLevel
from files.responses import INLINE_TYPES, private_file_response
from forms.selectors import submission_documents, submission_summary

from . import selectors, services
from .constants import DossierState, InboxTab
from .filters import active_filters, filtered_dossiers
from .models import Dossier

PAGE_SIZE = 25


class CountedPaginator(Paginator):
    """A paginator that is told its count when the caller already has it,
    and reads the far half of a long list from its end: the last page of
    100,000 dossiers costs a small OFFSET, not one of 99,975 rows."""

    def __init__(self, *args, count: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached_property

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom <= self.count // 2 or self.orphans:
            return super().page(number)
        # The list is ordered to the last column (pk): reversed, it is the same rows backwards.
        rows = list(self.object_list.reverse()[self.count - top: self.count - bottom])
        rows.reverse()
        return self._get_page(rows, number, self)


def _workspace_only(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not selectors.is_workspace_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
@_workspace_only
def index(request: HttpRequest) -> HttpResponse:
    scope = selectors.dossiers_for_staff(user=request.user)
    tab = request.GET.get("onglet") if request.GET.get("onglet") in InboxTab.values else InboxTab.ALL
    listed = scope if tab == InboxTab.ALL else selectors.inbox(user=request.user, tab=tab)
    filterset, queryset = filtered_dossiers(
        dossiers=listed, params=request.GET, schools=selectors.schools_for_staff(user=request.user)
    )
    # The counts come from the counter the services keep, not from counting
    # the dossiers: the whole list, and the list filtered by state, school or
    # procedure, is told its length.
    counts = selectors.dossier_counts(user=request.user)
    active = active_filters(filterset)
    known = None
    if tab == InboxTab.ALL and set(active) <= {"state", "school", "procedure"}:
        known = counts.of(state=active.get("state"),
                          school_id=active["school"].pk if active.get("school") else None,
                          procedure_id=int(active["procedure"]) if active.get("procedure") else None)
    page = CountedPaginator(queryset, PAGE_SIZE, count=known).get_page(request.GET.get("p"))
    # The labels looked up once per page: ``get_FOO_display`` rebuilds the
    # field's choices, translating each label, for every row.
    states, levels = dict(DossierState.choices), dict(SchoolLevel.choices)
    for dossier in page:
        dossier.state_label = states.get(dossier.state, dossier.state)
        dossier.level_label = levels.get(dossier.child.level, dossier.child.level)
    query = request.GET.copy()
    query.pop("p", None)
    return TemplateResponse(
        request,
        "workflows/admin/index.html",
        {
            "filter": filterset,
            "page_obj": page,
            "query_string": query.urlencode(),
            "waiting": counts.waiting,
            "counts": counts,
            "tab": tab,
            "tabs": [(value, label, _tab_url(request, value)) for value, label in InboxTab.choices],
        },
    )


def _tab_url(request: HttpRequest, tab: str) -> str:
    query = request.GET.copy()
    query.pop("p", None)
    query["onglet"] = tab
    return "?" + query.urlencode()


class DecisionForm(django_forms.Form):
    comment = django_forms.CharField(
        label=gettext_lazy("Commentaire"), widget=django_forms.Textarea(attrs={"rows": 3}), required=False,
        max_length=5000,
    )


class MessageForm(django_forms.Form):
    body = django_forms.CharField(
        label=gettext_lazy("Message à la famille"), widget=django_forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class NoteForm(django_forms.Form):
    body = django_forms.CharField(
        label=gettext_lazy("Annotation privée (jamais montrée à la famille)"),
        widget=django_forms.Textarea(attrs={"rows": 3}), max_length=5000,
    )


class OpinionAskForm(django_forms.Form):
    group = django_forms.ModelChoiceField(label=gettext_lazy("Demander l'avis du groupe"), queryset=None,
                                          required=False)
    person = django_forms.ModelChoiceField(label=gettext_lazy("ou de la personne"), queryset=None, required=False)
    question = django_forms.CharField(label=gettext_lazy("Question"), widget=django_forms.Textarea(attrs={"rows": 3}),
                                      max_length=5000)

    def __init__(self, *args, dossier: Dossier, **kwargs):
        from django.contrib.auth import get_user_model

        from .models import ReviewerGroup

        super().__init__(*args, **kwargs)
        groups, people = selectors.opinion_targets(dossier=dossier)
        self.fields["group"].queryset = ReviewerGroup.objects.filter(pk__in=[g.pk for g in groups])
        self.fields["person"].queryset = get_user_model().objects.filter(pk__in=[p.pk for p in people])

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("group")) == bool(cleaned.get("person")):
            self.add_error("group", _("Choisissez un groupe ou une personne (l'un des deux)."))
        return cleaned


class OpinionAnswerForm(django_forms.Form):
    answer = django_forms.CharField(label=gettext_lazy("Votre avis"), widget=django_forms.Textarea(attrs={"rows": 3}),
                                    max_length=5000)


def _detail_context(request: HttpRequest, dossier: Dossier, **forms) -> dict:
    documents = submission_documents(submission=dossier.submission)
    opinions = list(selectors.opinions_of(dossier=dossier))
    in_charge = selectors.in_charge(user=request.user, dossier=dossier)
    return {
        "in_charge": in_charge,
        "notes": selectors.notes_of(dossier=dossier),
        "opinions": [(o, selectors.may_answer(user=request.user, opinion=o)) for o in opinions],
        "note_form": forms.get("note") or NoteForm(prefix="note"),
        "opinion_form": (forms.get("opinion") or OpinionAskForm(prefix="opinion", dossier=dossier)) if in_charge
        else None,
        "answer_form": forms.get("answer") or OpinionAnswerForm(prefix="answer"),
        "dossier": dossier,
        "family_reachable": dossier.family.guardians.filter(is_active=True).exists(),
        "summary": submission_summary(submission=dossier.submission, documents=documents,
                                      since=dossier.answers_at_request),
        "changes_since_request": dossier.answers_at_request is not None,
        "documents": documents.values(),
        "previewable": INLINE_TYPES,
        "history": selectors.history_lines(events=selectors.history(dossier=dossier, include_reads=True)),
        "can_decide": selectors.may_decide(user=request.user, dossier=dossier),
        "decisions": dossier.decisions,
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
    services.dossier_messages_read(dossier=dossier, by_school=True)
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
    if not selectors.in_charge(user=request.user, dossier=dossier):
        raise Http404(_("Dossier introuvable."))  # read-only for those of another stage
    if dossier.state != DossierState.SUBMITTED:
        messages.error(request, _("Ce dossier a déjà été traité (état : %(state)s).")
                       % {"state": dossier.get_state_display()})
        return redirect("workflows_admin:detail", pk=dossier.pk)
    if not selectors.may_decide(user=request.user, dossier=dossier):
        messages.error(request, _("Ce dossier attend l'examen d'un autre groupe : vous ne pouvez pas le décider."))
        return redirect("workflows_admin:detail", pk=dossier.pk)
    if decision not in dossier.decisions:
        messages.error(request, _("Cette étape ne prévoit pas cette décision."))
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


def _post_on_dossier(request: HttpRequest, dossier: Dossier, *, form, key: str, field: str | None, act,
                     success: str, shown: bool = True) -> HttpResponse:
    """The staff forms of the dossier page: a valid form is handed to the
    service (``act``); its refusal is shown next to ``field`` (or, when the
    form is not on the page for this user, as a message); the page again,
    with the form's errors, when it is not valid."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except services.DossierError as error:
            if not shown:
                messages.error(request, error.message)
                return redirect("workflows_admin:detail", pk=dossier.pk)
            form.add_error(field, error.message)
        else:
            messages.success(request, success)
            return redirect("workflows_admin:detail", pk=dossier.pk)
    return TemplateResponse(request, "workflows/admin/detail.html", _detail_context(request, dossier, **{key: form}),
                            status=400)


@require_POST
@_workspace_only
def message(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _staff_dossier(request, pk)
    return _post_on_dossier(
        request, dossier, form=MessageForm(request.POST, prefix="message"), key="message", field="body",
        act=lambda data: services.dossier_message_post(dossier=dossier, by=request.user, body=data["body"]),
        success=_("Message envoyé à la famille."),
        shown=dossier.family.guardians.filter(is_active=True).exists(),
    )


@require_POST
@_workspace_only
def take_charge(request: HttpRequest, pk: int) -> HttpResponse:
    """« Prendre en charge » (or, for the one who had, « Laisser »): the
    service says why when the dossier no longer waits for one's group."""
    dossier = _staff_dossier(request, pk)
    try:
        if request.POST.get("laisser"):
            services.dossier_release(dossier=dossier, by=request.user)
            messages.success(request, _("Vous ne suivez plus le dossier %(ref)s.") % {"ref": dossier.reference})
        else:
            services.dossier_take_charge(dossier=dossier, by=request.user)
            messages.success(request, _("Vous suivez le dossier %(ref)s.") % {"ref": dossier.reference})
    except services.DossierError as error:
        messages.error(request, error.message)
    return redirect("workflows_admin:detail", pk=dossier.pk)


@require_POST
@_workspace_only
def note(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _staff_dossier(request, pk)
    return _post_on_dossier(
        request, dossier, form=NoteForm(request.POST, prefix="note"), key="note", field="body",
        act=lambda data: services.dossier_note_add(dossier=dossier, by=request.user, body=data["body"]),
        success=_("Annotation enregistrée : seuls les examinateurs la lisent."),
    )


@require_POST
@_workspace_only
def opinion_ask(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _staff_dossier(request, pk)
    return _post_on_dossier(
        request, dossier, form=OpinionAskForm(request.POST, prefix="opinion", dossier=dossier), key="opinion",
        field=None, success=_("Avis demandé."),
        act=lambda data: services.dossier_opinion_ask(dossier=dossier, by=request.user, question=data["question"],
                                                      group=data["group"], person=data["person"]),
        # The form is on the page only for the group the dossier waits for.
        shown=selectors.in_charge(user=request.user, dossier=dossier),
    )


@require_POST
@_workspace_only
def opinion_answer(request: HttpRequest, pk: int, opinion_id: int) -> HttpResponse:
    dossier = _staff_dossier(request, pk)
    opinion = dossier.opinions.filter(pk=opinion_id).first()
    if opinion is None or not selectors.may_answer(user=request.user, opinion=opinion):
        raise Http404(_("Avis introuvable."))
    return _post_on_dossier(
        request, dossier, form=OpinionAnswerForm(request.POST, prefix="answer"), key="answer", field="answer",
        act=lambda data: services.dossier_opinion_give(opinion=opinion, by=request.user, answer=data["answer"]),
        success=_("Avis rendu."),
    )


@require_POST
@_workspace_only
def validate_many(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("dossier") if i.isdigit()][:PAGE_SIZE * 4]
    # Those already decided stay in: each is reported « déjà traité ».
    dossiers = [
        d for d in selectors.dossiers_for_staff(user=request.user).filter(pk__in=ids)
        if d.state != DossierState.SUBMITTED or selectors.may_decide(user=request.user, dossier=d)
    ]
    if not dossiers:
        messages.error(request, _("Cochez au moins un dossier que vous pouvez valider."))
        return redirect(reverse("workflows_admin:index") + "?" + request.POST.get("query", ""))
    done, failed = services.dossiers_validate_many(dossiers=dossiers, by=request.user)
    if done:
        messages.success(
            request,
            ngettext("%(count)d dossier validé.", "%(count)d dossiers validés.", len(done)) % {"count": len(done)},
        )
    for dossier, reason in failed:
        messages.warning(request, f"{dossier.reference} : {reason}")
    return redirect(reverse("workflows_admin:index") + "?" + request.POST.get("query", ""))


# --- Exports and statistics ---------------------------------------------------------------------------


@require_POST
@_workspace_only
def export(request: HttpRequest) -> HttpResponse:
    """Export the dossiers as the list shows them (same filters)."""
    from django.http import QueryDict

    from .constants import ExportFormat

    format = request.POST.get("format")
    if format not in ExportFormat.values:
        messages.error(request, _("Choisissez un format d'export."))
        return redirect(reverse("workflows_admin:index") + "?" + request.POST.get("query", ""))
    params = QueryDict(request.POST.get("query", ""))
    names = ("q", "state", "level", "school", "procedure", "stage", "submitted_from", "submitted_to")
    filters = {key: params.get(key) for key in names if params.get(key)}
    job = services.dossier_export_request(by=request.user, filters=filters, format=format)
    return redirect("workflows_admin:export_status", pk=job.pk)


def _own_export(request: HttpRequest, pk: int):
    from .models import DossierExport

    job = DossierExport.objects.filter(pk=pk, requested_by=request.user).first()
    if job is None:
        raise Http404(_("Export introuvable."))
    return job


@require_GET
@_workspace_only
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    return TemplateResponse(request, "workflows/admin/export_status.html", {"job": _own_export(request, pk)})


@require_GET
@_workspace_only
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    from .constants import ExportStatus

    job = _own_export(request, pk)
    if job.status != ExportStatus.READY or not job.file:
        raise Http404(_("Cet export n'est pas prêt."))
    content_types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    return private_file_response(job.file, filename=job.file.name.rsplit("/", 1)[-1],
                                 content_type=content_types[job.format])


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    if not selectors.can_see_statistics(user=request.user):
        raise Http404
    filterset, dossiers = filtered_dossiers(
        dossiers=selectors.dossiers_for_statistics(user=request.user), params=request.GET,
        schools=selectors.schools_for_statistics(user=request.user),
    )
    return TemplateResponse(
        request,
        "workflows/admin/statistics.html",
        # Editors see the statistics but have no dossier list: their way back is the dashboard.
        {"filter": filterset, "stats": selectors.dossier_statistics(dossiers=dossiers),
         "has_workspace": selectors.is_workspace_user(request.user)},
    )
