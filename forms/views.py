"""Families' side of the form builder: open a dossier on a form page, fill
it step by step, save drafts, review and submit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Page

from accounts.models import Child

from . import selectors, services
from .builder import StepForm, post_problem
from .constants import FieldType
from .definition import Definition, visibility
from .layout import step_layout
from .models import Submission
from .pages import AbstractFormPage, submission_standing


def refused(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    return TemplateResponse(request, "forms/refused.html", {"message": message}, status=status)


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


def _notice(submission: Submission) -> str:
    """The page's word to the family above the form (a correction asked)."""
    page = submission.page.specific if submission.page_id else None
    return page.family_notice(submission) if isinstance(page, AbstractFormPage) else ""


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
    if set(request.POST) - {"csrfmiddlewaretoken", "page", "child", "school"} or request.FILES:
        return refused(request, _("Le formulaire envoyé contient un champ inconnu. Rechargez la page."))
    if any(len(request.POST.getlist(key)) > 1 for key in request.POST):
        return refused(request, _("Un champ a été envoyé plusieurs fois. Rechargez la page."))
    page_id, child_id, school_id = (request.POST.get(k, "") for k in ("page", "child", "school"))
    if not page_id.isdigit() or not child_id.isdigit() or (school_id and not school_id.isdigit()):
        return refused(request, _("La demande est incomplète. Rechargez la page."))
    page = get_object_or_404(Page.objects.live().type(AbstractFormPage).specific(), pk=int(page_id))
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
    elif choices and not Submission.objects.filter(page=page, child=child).exists():
        messages.error(request, _("Choisissez l'école de %(child)s.") % {"child": child.first_name})
        return redirect(page.url)
    if not page.is_open() and not Submission.objects.filter(page=page, child=child).exists():
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
        "notice": _notice(submission),
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
            page = submission.page.specific if submission.page_id else None
            messages.success(request, page.submitted_message(submission) if page is not None
                             else _("Dossier déposé. Vous suivez son avancement ici."))
            return redirect(_detail_url(submission))
    blockers = services._account_blockers(user=request.user)
    context = {
        "submission": submission,
        "summary": selectors.submission_summary(submission=submission),
        "progress": _progress(submission, None),
        "error": error,
        "blockers": blockers,
        "last_step": (_visible_steps(submission) or [0])[-1],
        "notice": _notice(submission),
    }
    return TemplateResponse(request, "forms/review.html", context, status=200)


@login_required
@require_GET
def detail(request: HttpRequest, public_id) -> HttpResponse:
    submission = _owned(request, public_id)
    form_page = submission.page.specific if submission.page_id else None
    context = {
        "submission": submission,
        "form_page": form_page,
        "default_standing": submission_standing(submission),
        "follow_up": form_page.follow_up(submission) if form_page is not None and not submission.is_draft else None,
        "summary": selectors.submission_summary(submission=submission),
        "is_open": _is_open(submission),
        "notice": _notice(submission),
    }
    return TemplateResponse(request, "forms/detail.html", context)
