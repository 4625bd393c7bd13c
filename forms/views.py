"""Families' side of the form builder: open a dossier, fill it step by step,
save drafts, review and submit, « Mes dossiers », documents."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.contrib.forms.forms import BaseForm

from . import selectors, services
from .builder import DossierFormBuilder, FieldRecord, StepForm, accept_attribute, kinds_label, post_problem
from .constants import FieldType
from .definition import Definition, definition_problems, is_input, visibility
from .models import Document, Submission


def refused(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    return TemplateResponse(request, "forms/refused.html", {"message": message}, status=status)


# --- Laying out a step for the template -------------------------------------------------------


@dataclass
class ItemView:
    item: dict
    bound: BoundField | None = None
    condition: str = ""
    rows: list[list[BoundField]] = field(default_factory=list)
    template_row: list[BoundField] = field(default_factory=list)
    document: Document | None = None
    errors: list[str] = field(default_factory=list)
    accept: str = ""
    kinds: str = ""
    hidden: bool = False

    @property
    def kind(self) -> str:
        return self.item["type"]


def _template_row(item: dict) -> list[BoundField]:
    """The blank line the browser copies when the family adds a person."""
    records = [FieldRecord(m, f"{item['name']}-__index__-{m['name']}") for m in item["fields"] if is_input(m)]
    form = type("RowForm", (BaseForm,), dict(DossierFormBuilder(records).formfields))()
    return [form[record.clean_name] for record in records]


def step_layout(form: StepForm, *, answers: dict, documents: dict[str, Document]) -> list[ItemView]:
    """Each item of the step with its field(s). Items hidden by an answer of
    another step are left out; those that depend on this step carry their
    condition for the browser to apply."""
    _steps, names = visibility(form.definition, answers)
    here = {item["name"] for item in form.step["items"]}
    views = []
    for item in form.step["items"]:
        condition = item.get("condition")
        same_step = bool(condition) and condition["field"] in here
        if not same_step and item["name"] not in names:
            continue
        view = ItemView(item=item, condition=json.dumps(condition) if same_step else "")
        if same_step:
            # Hidden from the start as the answers stand (the browser script
            # then follows what the family changes), so nothing flashes.
            shown_now = form.visible if form.is_bound and hasattr(form, "visible") else names
            view.hidden = item["name"] not in shown_now
        if item["type"] == FieldType.GROUP:
            members = [m for m in item["fields"] if is_input(m)]
            view.rows = [[form[f"{item['name']}-{i}-{m['name']}"] for m in members]
                         for i in range(form.rows[item["name"]])]
            view.template_row = _template_row(item)
            view.errors = form.group_errors.get(item["name"], [])
        elif is_input(item):
            view.bound = form[item["name"]]
            if item["type"] == FieldType.FILE:
                view.document = documents.get(item["name"])
                view.accept = accept_attribute(item)
                view.kinds = kinds_label(item)
        views.append(view)
    return views


def _visible_steps(submission: Submission) -> list[int]:
    steps, _names = visibility(submission.definition, submission.answers)
    return sorted(steps)


def _step_url(submission: Submission, index: int) -> str:
    return reverse("dossiers:step", kwargs={"public_id": submission.public_id, "index": index})


def _review_url(submission: Submission) -> str:
    return reverse("dossiers:review", kwargs={"public_id": submission.public_id})


def _detail_url(submission: Submission) -> str:
    return reverse("dossiers:detail", kwargs={"public_id": submission.public_id})


def _owned(request: HttpRequest, public_id) -> Submission:
    submission = selectors.submission_for_user(user=request.user, public_id=public_id)
    if submission is None:
        raise Http404(_("Dossier introuvable."))
    return submission


def _is_open(submission: Submission) -> bool:
    return submission.is_editable


def _progress(submission: Submission, index: int | None) -> dict[str, Any]:
    steps = _visible_steps(submission)
    total = len(steps) + 1  # the review is the last step
    position = steps.index(index) + 1 if index in steps else total
    return {
        "steps": [(i, submission.definition["steps"][i]["title"]) for i in steps],
        "position": position,
        "total": total,
        "percent": round(100 * position / total),
    }


# --- Opening a dossier --------------------------------------------------------------------------


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    from accounts.models import Child
    from cms.models import EnrolmentFormPage

    if set(request.POST) - {"csrfmiddlewaretoken", "page", "child", "school"} or request.FILES:
        return refused(request, _("Le formulaire envoyé contient un champ inconnu. Rechargez la page."))
    if any(len(request.POST.getlist(key)) > 1 for key in request.POST):
        return refused(request, _("Un champ a été envoyé plusieurs fois. Rechargez la page."))
    page_id, child_id, school_id = (request.POST.get(k, "") for k in ("page", "child", "school"))
    if not page_id.isdigit() or not child_id.isdigit() or (school_id and not school_id.isdigit()):
        return refused(request, _("La demande est incomplète. Rechargez la page."))
    page = get_object_or_404(EnrolmentFormPage.objects.live(), pk=int(page_id))
    if not request.user.family_id:
        return refused(request, _("Votre compte n'est rattaché à aucune famille."), status=403)
    child = get_object_or_404(Child, pk=int(child_id), family_id=request.user.family_id)
    choices = selectors.school_choices_for(page=page, family=request.user.family)
    school = None
    if school_id:
        school = next((s for s in choices if s.pk == int(school_id)), None)
        if school is None:
            return refused(request, _("Cette école ne fait pas partie des choix proposés."))
    elif len(choices) == 1:
        school = choices[0]
    elif not choices:
        return refused(request, _("Aucune école n'accueille encore cette démarche : contactez la mairie."),
                       status=403)
    elif choices and not page.submissions.filter(child=child).exists():
        messages.error(request, _("Choisissez l'école de %(child)s.") % {"child": child.first_name})
        return redirect(page.url)
    if not page.is_open() and not page.submissions.filter(child=child).exists():
        return refused(request, _("Ce formulaire n'est pas ouvert : aucun dossier ne peut y être commencé."),
                       status=403)
    try:
        submission = services.submission_start(page=page, child=child, school=school, by=request.user)
    except services.SubmissionError as error:
        return refused(request, " ".join(error.messages), status=403)
    if not submission.is_draft:
        return redirect(_detail_url(submission))
    return redirect(_step_url(submission, submission.current_step))


# --- Filling a step -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, public_id, index: int) -> HttpResponse:
    submission = _owned(request, public_id)
    if not submission.is_draft:
        return redirect(_detail_url(submission))
    definition: Definition = submission.definition
    if index >= len(definition.get("steps", [])):
        raise Http404(_("Étape introuvable."))
    if not _is_open(submission):
        if request.method == "POST":
            return refused(request, _("Ce formulaire est clos : vos réponses n'ont pas été enregistrées."),
                           status=403)
        return TemplateResponse(request, "forms/closed.html", {"submission": submission})
    visible = _visible_steps(submission)
    if index not in visible:
        following = [i for i in visible if i > index]
        return redirect(_step_url(submission, following[0]) if following else _review_url(submission))
    documents = selectors.submission_documents(submission=submission)
    status = 200
    if request.method == "POST":
        problem = post_problem(definition=definition, step_index=index, data=request.POST, files=request.FILES)
        if problem:
            return refused(request, problem)
        action = request.POST.get("_action", "next")
        form = StepForm(request.POST, request.FILES, definition=definition, step_index=index,
                        answers=submission.answers, documents=documents, lenient=action != "next")
        valid = form.is_valid()
        try:
            services.submission_save_step(submission=submission, form=form, by=request.user, valid=valid)
        except services.SubmissionError as error:
            return refused(request, " ".join(error.messages), status=403)
        if valid:
            visible = _visible_steps(submission)
            if action == "save":
                messages.success(request, _("Brouillon enregistré. Vous pouvez le reprendre depuis « Mes dossiers »."))
                return redirect("dossiers:list")
            if action == "previous":
                earlier = [i for i in visible if i < index]
                return redirect(_step_url(submission, earlier[-1]) if earlier else _step_url(submission, index))
            following = [i for i in visible if i > index]
            return redirect(_step_url(submission, following[0]) if following else _review_url(submission))
        documents = selectors.submission_documents(submission=submission)
        status = 200
    else:
        form = StepForm(definition=definition, step_index=index, answers=submission.answers, documents=documents)
    context = {
        "submission": submission,
        "step": definition["steps"][index],
        "index": index,
        "form": form,
        "items": step_layout(form, answers=submission.answers, documents=documents),
        "progress": _progress(submission, index),
        "has_previous": any(i < index for i in _visible_steps(submission)),
        "has_errors": form.is_bound and bool(form.errors),
        "has_files": any(i["type"] == FieldType.FILE for i in definition["steps"][index]["items"]),
    }
    return TemplateResponse(request, "forms/step.html", context, status=status)


# --- Review and submission -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, public_id) -> HttpResponse:
    submission = _owned(request, public_id)
    if not submission.is_draft:
        return redirect(_detail_url(submission))
    if not _is_open(submission):
        if request.method == "POST":
            return refused(request, _("Ce formulaire est clos : le dossier n'a pas été déposé."), status=403)
        return TemplateResponse(request, "forms/closed.html", {"submission": submission})
    error = None
    if request.method == "POST":
        if set(request.POST) - {"csrfmiddlewaretoken"} or request.FILES:
            return refused(request, _("Le formulaire envoyé contient un champ inconnu. Rechargez la page."))
        try:
            services.submission_submit(submission=submission, by=request.user)
        except services.SubmissionError as exc:
            error = exc
        else:
            messages.success(request, _("Dossier déposé. L'école va l'examiner ; vous suivez son avancement ici."))
            return redirect(_detail_url(submission))
    blockers = services._account_blockers(user=request.user)
    context = {
        "submission": submission,
        "summary": selectors.submission_summary(submission=submission),
        "progress": _progress(submission, None),
        "error": error,
        "blockers": blockers,
        "last_step": (_visible_steps(submission) or [0])[-1],
    }
    return TemplateResponse(request, "forms/review.html", context, status=200)


@login_required
@require_GET
def detail(request: HttpRequest, public_id) -> HttpResponse:
    submission = _owned(request, public_id)
    context = {
        "submission": submission,
        "summary": selectors.submission_summary(submission=submission),
        "is_open": _is_open(submission),
    }
    return TemplateResponse(request, "forms/detail.html", context)


# --- Admin preview -----------------------------------------------------------------------------------------


def preview_context(*, page) -> dict[str, Any]:
    """Every step of the page's current (possibly unsaved) form, empty."""
    definition = page.get_definition()
    problems = definition_problems(definition)
    steps = []
    if not problems:
        for index, step_ in enumerate(definition["steps"]):
            form = StepForm(definition=definition, step_index=index, answers={})
            steps.append((index, step_, step_layout_all(form)))
    return {"definition": definition, "problems": problems, "preview_steps": steps}


def step_layout_all(form: StepForm) -> list[ItemView]:
    """For the preview: every item, conditions shown as notes."""
    views = []
    for item in form.step["items"]:
        view = ItemView(item=item, condition=json.dumps(item["condition"]) if item.get("condition") else "")
        if item["type"] == FieldType.GROUP:
            members = [m for m in item["fields"] if is_input(m)]
            view.rows = [[form[f"{item['name']}-{i}-{m['name']}"] for m in members]
                         for i in range(form.rows[item["name"]])]
            view.template_row = _template_row(item)
        elif is_input(item):
            view.bound = form[item["name"]]
            if item["type"] == FieldType.FILE:
                view.accept = accept_attribute(item)
                view.kinds = kinds_label(item)
        views.append(view)
    return views
