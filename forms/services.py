"""Writes of the form builder: opening a dossier, saving a step, submitting."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .builder import DossierFormBuilder, FieldRecord, StepForm, to_answer, to_initial
from .constants import FieldType, SubmissionStatus
from .definition import (
    Definition,
    definition_problems,
    input_items,
    is_input,
    items_by_name,
    missing_required,
    prune_answers,
)
from .models import Document, Submission
from .signals import submission_submitted


class SubmissionError(Exception):
    """A dossier cannot be opened, saved or submitted; ``messages`` say why
    in French, ``step`` is the step to go back to when there is one."""

    def __init__(self, messages: list[str] | str, *, step: int | None = None, links: list | None = None):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        self.step = step
        self.links = links or []
        super().__init__("; ".join(self.messages))


# --- Prefill ------------------------------------------------------------------------------------


def _prefill_sources(*, child, user) -> dict[str, list[Any]]:
    family = child.family
    level = [child.level, child.get_level_display()] if child.level else []
    return {
        "child.first_name": [child.first_name],
        "child.last_name": [child.last_name],
        "child.birth_date": [child.birth_date.isoformat() if child.birth_date else ""],
        "child.level": level,
        "guardian.first_name": [getattr(user, "first_name", "")],
        "guardian.last_name": [getattr(user, "last_name", "")],
        "guardian.email": [getattr(user, "email", "")],
        "family.name": [family.name],
        "family.address": [family.address],
        "family.postal_code": [family.postal_code],
        "family.commune": [family.commune],
        "family.phone": [family.phone],
        "family.phone_alt": [family.phone_alt],
    }


def _previous_answers(*, child) -> dict[str, Any]:
    """The answers of the family's most recent other dossier: a second child's
    dossier starts from what was said for the first (guardians, address…)."""
    previous = (
        Submission.objects.filter(family_id=child.family_id).exclude(child=child).order_by("-updated_at").first()
    )
    return previous.answers if previous is not None else {}


def prefill_answers(*, definition: Definition, child, user) -> dict[str, Any]:
    """What the family already told the portal, as first answers: for the
    questions tied to the family or the guardian, the answer given in the
    family's last dossier, else the profile; for the child, the child's
    profile. A value the question would refuse (a level not offered, a
    foreign number…) is simply left out."""
    sources = _prefill_sources(child=child, user=user)
    previous = _previous_answers(child=child)
    answers: dict[str, Any] = {}
    for item in input_items(definition):
        if not item.get("prefill") or item["type"] in (FieldType.GROUP, FieldType.FILE, FieldType.CONSENT):
            continue
        field = DossierFormBuilder([FieldRecord(item, item["name"])]).formfields[item["name"]]
        candidates = list(sources.get(item["prefill"], []))
        if not item["prefill"].startswith("child.") and item["name"] in previous:
            candidates.insert(0, to_initial(item, previous[item["name"]]))
        for candidate in candidates:
            if not candidate:
                continue
            try:
                value = to_answer(item, field.clean(candidate))
            except Exception:  # noqa: BLE001 — any refusal means "no prefill"
                continue
            if value is not None:
                answers[item["name"]] = value
                break
    return answers


# --- Re-enrolment --------------------------------------------------------------------------------


def document_still_valid(*, item: dict, document: Document, now=None) -> bool:
    """A document given for last year's dossier is taken again unless it is
    older than the question allows (a proof of address of less than 3
    months…)."""
    months = item.get("max_age_months")
    if not months:
        return True
    now = now or timezone.now()
    return document.uploaded_at >= now - datetime.timedelta(days=round(months * 30.44))


def _last_years_submission(*, page, child) -> Submission | None:
    previous_page_id = getattr(page, "previous_year_page_id", None)
    if not previous_page_id:
        return None
    return (
        Submission.objects.filter(page_id=previous_page_id, child=child, status=SubmissionStatus.SUBMITTED)
        .prefetch_related("documents")
        .first()
    )


def _carried_answers(*, definition: Definition, previous: Submission) -> dict[str, Any]:
    """Last year's answers that still fit this year's questions. Consents
    are given anew each year; documents are handled apart."""
    old_items = items_by_name(previous.definition)
    answers: dict[str, Any] = {}
    for item in input_items(definition):
        name = item["name"]
        if item["type"] in (FieldType.FILE, FieldType.CONSENT) or name not in previous.answers:
            continue
        if old_items.get(name, {}).get("type") != item["type"]:
            continue
        if item["type"] == FieldType.GROUP:
            answers[name] = previous.answers[name]
            continue
        field = DossierFormBuilder([FieldRecord(item, name)]).formfields[name]
        try:
            value = to_answer(item, field.clean(to_initial(item, previous.answers[name])))
        except Exception:  # noqa: BLE001 — a choice that no longer exists is asked again
            continue
        if value is not None:
            answers[name] = value
    return answers


def _carry_documents(*, definition: Definition, previous: Submission, submission: Submission) -> dict[str, int]:
    items = {item["name"]: item for item in input_items(definition) if item["type"] == FieldType.FILE}
    carried: dict[str, int] = {}
    for document in previous.documents.all():
        item = items.get(document.field_name)
        if item is None or not document_still_valid(item=item, document=document):
            continue
        try:
            with document.file.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            continue
        copy = Document(
            submission=submission, field_name=document.field_name, original_name=document.original_name,
            content_type=document.content_type, size=document.size, uploaded_by=document.uploaded_by,
        )
        copy.file.save(document.original_name, ContentFile(content), save=False)
        copy.save()
        # Its age is the original's: next year, it expires on the same day.
        Document.objects.filter(pk=copy.pk).update(uploaded_at=document.uploaded_at)
        carried[document.field_name] = copy.pk
    return carried


# --- Opening a dossier ----------------------------------------------------------------------------


def submission_start(*, page, child, school, by) -> Submission:
    """The child's dossier on ``page``: the existing one, or a new draft
    with a snapshot of the form and the answers prefilled."""
    if child.family_id is None or child.family_id != by.family_id:
        raise SubmissionError(_("Cet enfant n'appartient pas à votre famille."))
    existing = Submission.objects.filter(page=page, child=child).first()
    if existing is not None:
        return existing
    if not page.is_open():
        raise SubmissionError(_("Ce formulaire n'est pas ouvert : aucun dossier ne peut y être commencé."))
    definition = page.get_definition()
    if definition_problems(definition):
        raise SubmissionError(_("Ce formulaire est en cours de préparation. Revenez plus tard."))
    answers = prefill_answers(definition=definition, child=child, user=by)
    previous = _last_years_submission(page=page, child=child)
    if previous is not None:
        # Re-enrolment: last year's answers, so that only what changed is typed.
        answers.update(_carried_answers(definition=definition, previous=previous))
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                page=page,
                form_title=page.title,
                family_id=child.family_id,
                child=child,
                school=school,
                definition=definition,
                answers=answers,
                created_by=by,
            )
            if previous is not None:
                documents = _carry_documents(definition=definition, previous=previous, submission=submission)
                if documents:
                    submission.answers = {**submission.answers, **documents}
                    submission.save(update_fields=["answers"])
            return submission
    except IntegrityError:
        # Two clicks at once: the other request opened it.
        return Submission.objects.get(page=page, child=child)


# --- Saving a step ----------------------------------------------------------------------------------


def _locked_draft(submission: Submission, *, related: tuple[str, ...] = ()) -> Submission:
    # of=("self",): a nullable join (the school), which PostgreSQL cannot lock.
    locked = Submission.objects.select_for_update(of=("self",)).select_related(*related).get(pk=submission.pk)
    if locked.page_id == submission.page_id and Submission.page.is_cached(submission):
        # The page the view read (its specific page too) is not read again.
        locked.page = submission.page
    if locked.status != SubmissionStatus.DRAFT:
        raise SubmissionError(_("Ce dossier a déjà été déposé : il ne peut plus être modifié ici."))
    if not locked.is_editable:
        raise SubmissionError(_("Ce formulaire est clos : le dossier ne peut plus être modifié."))
    return locked


def _delete_document(document: Document) -> None:
    name, storage = document.file.name, document.file.storage
    document.delete()
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(name))


def document_store(*, submission: Submission, field_name: str, upload, safe_name: str, content_type: str,
                   by) -> Document:
    """Put an accepted file on private storage, replacing the question's
    previous document."""
    for old in Document.objects.filter(submission=submission, field_name=field_name):
        _delete_document(old)
    document = Document(
        submission=submission,
        field_name=field_name,
        original_name=safe_name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    upload.seek(0)
    document.file.save(safe_name, upload, save=False)
    document.save()
    return document


def submission_save_step(*, submission: Submission, form: StepForm, by, valid: bool) -> Submission:
    """Keep what the family gave on one step.

    Accepted documents are kept even when another answer is refused, so
    the family never sends them twice. The answers themselves are kept only
    when the whole step is valid; those of questions hidden by a condition
    are dropped, with their documents."""
    with transaction.atomic():
        locked = _locked_draft(submission)
        answers = dict(locked.answers)
        stored = {}
        for name, (upload, safe_name, content_type) in form.uploads.items():
            document = document_store(submission=locked, field_name=name, upload=upload, safe_name=safe_name,
                                      content_type=content_type, by=by)
            answers[name] = stored[name] = document.pk
        if valid:
            step_items = [item for item in form.step["items"] if is_input(item)]
            for item in step_items:
                answers.pop(item["name"], None)
            for name, value in form.step_answers.items():
                answers[name] = stored[name] if value == "upload" else value
            for item in step_items:
                if item["type"] == FieldType.FILE and item["name"] not in answers:
                    for document in Document.objects.filter(submission=locked, field_name=item["name"]):
                        _delete_document(document)
            locked.current_step = form.step_index
        locked.answers = answers
        locked.save(update_fields=["answers", "current_step", "updated_at"])
    submission.answers, submission.current_step = locked.answers, locked.current_step
    return locked


# --- Submitting ------------------------------------------------------------------------------------------


def _account_blockers(*, user) -> list:
    """What stops this person from submitting, from the accounts app
    (e-mail confirmed, own password, terms and school rules accepted).
    The single place where the form builder asks accounts."""
    from accounts.selectors import submission_blockers

    return submission_blockers(user=user)


def submission_submit(*, submission: Submission, by) -> Submission:
    """Mark the dossier submitted and hand it over: ``submission_submitted``
    is sent inside the transaction, so a workflow that fails to start rolls
    the submission back."""
    # Read before the write lock is taken (on SQLite, the lock stops every
    # other writer): what stops this person from submitting.
    blockers = _account_blockers(user=by)
    with transaction.atomic():
        # The family, child and school come along: the workflow's receivers read them.
        locked = _locked_draft(submission, related=("family", "child", "school"))
        if by.family_id != locked.family_id:
            raise SubmissionError(_("Ce dossier n'appartient pas à votre famille."))
        if locked.school_id is None:
            raise SubmissionError(_("Ce dossier n'est rattaché à aucune école : contactez la mairie."))
        if blockers:
            raise SubmissionError([b.message for b in blockers], links=[(b.message, b.url) for b in blockers])
        missing = missing_required(locked.definition, locked.answers)
        if missing:
            step, _item = missing[0]
            labels = ", ".join(f"« {item['label']} »" for _s, item in missing[:5])
            raise SubmissionError(
                _("Il manque des réponses obligatoires : %(labels)s.") % {"labels": labels}, step=step
            )
        answers = prune_answers(locked.definition, locked.answers)
        kept_documents = {
            value for name, value in answers.items()
            if any(i["name"] == name and i["type"] == FieldType.FILE for i in input_items(locked.definition))
        }
        for document in locked.documents.all():
            if document.pk not in kept_documents:
                _delete_document(document)
        locked.answers = answers
        locked.status = SubmissionStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = by
        locked.reopened_at = None
        locked.save(update_fields=["answers", "status", "submitted_at", "submitted_by", "reopened_at", "updated_at"])
        submission_submitted.send(sender=Submission, submission=locked)
    return locked


def submission_reopen(*, submission: Submission) -> Submission:
    """Give a submitted dossier back to the family for corrections (the
    workflow asks for it). Answers, documents and the form snapshot stay;
    the family can change and submit it again even after the closing date,
    and ``submission_submitted`` is then sent again."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status == SubmissionStatus.DRAFT:
            return locked
        locked.status = SubmissionStatus.DRAFT
        locked.reopened_at = timezone.now()
        locked.current_step = 0
        locked.save(update_fields=["status", "reopened_at", "current_step", "updated_at"])
    submission.status, submission.reopened_at = locked.status, locked.reopened_at
    return locked
