"""Reads of the form builder: dossiers, documents, who may see them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .constants import FieldType
from .definition import Item, is_input, visibility
from .models import Document, Submission


def submission_for_user(*, user, public_id) -> Submission | None:
    """The dossier if it belongs to ``user``'s family, else None (never
    another family's dossier)."""
    if not user.is_authenticated or not user.family_id:
        return None
    return (
        Submission.objects.select_related("page", "child", "school")
        .filter(public_id=public_id, family_id=user.family_id)
        .first()
    )


def submissions_for_family(*, family) -> QuerySet[Submission]:
    return Submission.objects.of_family(family.pk if family else None).select_related("child", "page", "school")


def submission_documents(*, submission: Submission) -> dict[str, Document]:
    return {document.field_name: document for document in submission.documents.all()}


def school_choices_for(*, page, family) -> list:
    """The schools a dossier on ``page`` can be filed with: the family's
    schools the page is for; failing that, the page's schools."""
    from cms.models import School

    page_schools = list(page.schools.all()) if page.pk else []
    family_schools = list(family.schools.all()) if family else []
    if page_schools:
        mine = [school for school in family_schools if school in page_schools]
        return mine or page_schools
    return family_schools or list(School.objects.all())


@dataclass
class ChildRow:
    child: Any
    submission: Submission | None


def form_page_family_rows(*, page, family) -> list[ChildRow]:
    """Each child of the family with its dossier on ``page`` (or none yet)."""
    submissions = {s.child_id: s for s in Submission.objects.filter(page=page, family=family)}
    return [ChildRow(child, submissions.get(child.pk)) for child in family.children.order_by("birth_date")]


# --- Answers as people read them -----------------------------------------------------------


def display_value(item: Item, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    kind = item["type"]
    if kind == FieldType.DATE:
        return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if kind == FieldType.YESNO:
        return _("Oui") if value else _("Non")
    if kind == FieldType.CONSENT:
        return _("Accepté")
    if kind == FieldType.MULTICHOICE:
        return ", ".join(value)
    if kind == FieldType.NUMBER:
        return str(value).replace(".", ",")
    return str(value)


@dataclass
class AnswerLine:
    label: str
    text: str = ""
    document: Document | None = None
    rows: list[list[tuple[str, str]]] = field(default_factory=list)
    is_group: bool = False
    missing: bool = False
    changed: bool = False  # differs from the answers ``submission_summary`` was given as ``since``


@dataclass
class StepSummary:
    index: int
    title: str
    lines: list[AnswerLine]


def submission_summary(*, submission: Submission, documents: dict[str, Document] | None = None,
                       since: dict | None = None) -> list[StepSummary]:
    """The visible answers, step by step, laid out as the form. With
    ``since`` (earlier answers), each line says whether it changed."""
    definition, answers = submission.definition, submission.answers
    documents = submission_documents(submission=submission) if documents is None else documents
    steps, names = visibility(definition, answers)
    summary = []
    for index, step in enumerate(definition.get("steps", [])):
        if index not in steps:
            continue
        lines = []
        for item in step.get("items", []):
            if not is_input(item) or item["name"] not in names:
                continue
            value = answers.get(item["name"])
            line = AnswerLine(label=item["label"])
            if item["type"] == FieldType.GROUP:
                line.is_group = True
                members = [m for m in item["fields"] if is_input(m)]
                line.rows = [[(m["label"], display_value(m, row.get(m["name"]))) for m in members]
                             for row in value or []]
            elif item["type"] == FieldType.FILE:
                line.document = documents.get(item["name"])
            else:
                line.text = display_value(item, value)
            line.missing = bool(item.get("required")) and not (line.text or line.document or line.rows)
            line.changed = since is not None and since.get(item["name"]) != value
            lines.append(line)
        summary.append(StepSummary(index, step.get("title", ""), lines))
    return summary


def dossier_count(*, page_id: int) -> int:
    """How many dossiers were filed on a form page (drafts included: their
    answers are stored under its names too)."""
    return Submission.objects.filter(page_id=page_id).count()
