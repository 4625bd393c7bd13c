"""How a step of a dossier is laid out for its template: each question
with its field(s), the conditions the browser applies, the documents
already joined — for the family's pages and for the editor's preview of a
form page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.forms import BoundField
from wagtail.contrib.forms.forms import BaseForm

from .builder import DossierFormBuilder, FieldRecord, StepForm, accept_attribute, kinds_label
from .constants import FieldType
from .conditions import answer_tokens, fields_of
from .definition import describe_condition, definition_problems, is_input, visibility, visible_answers_before
from .models import Document


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
    condition_note: str = ""

    @property
    def kind(self) -> str:
        return self.item["type"]


def _for_browser(condition: dict, before: dict, here: set[str]) -> str:
    """The condition as the browser evaluates it: the answers of questions
    of earlier steps come with it (as words), those of this step are read
    from the page as the family types (``forms/static/forms/conditions.js``)."""
    known = {field: answer_tokens(before.get(field)) for field in fields_of(condition) if field not in here}
    return json.dumps({"condition": condition, "known": known})


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
    before = visible_answers_before(form.definition, answers, form.step_index)
    views = []
    for item in form.step["items"]:
        condition = item.get("condition")
        same_step = any(field in here for field in fields_of(condition))
        if not same_step and item["name"] not in names:
            continue
        view = ItemView(item=item, condition=_for_browser(condition, before, here) if same_step else "")
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


# --- The editor's preview ----------------------------------------------------------------------


def preview_context(*, page) -> dict[str, Any]:
    """Every step of the page's current (possibly unsaved) form, empty."""
    definition = page.get_definition()
    problems = definition_problems(definition)
    steps = []
    if not problems:
        for index, step_ in enumerate(definition["steps"]):
            form = StepForm(definition=definition, step_index=index, answers={})
            steps.append((index, {**step_, "condition_note": describe_condition(step_.get("condition"), definition)},
                          step_layout_all(form)))
    return {"definition": definition, "problems": problems, "preview_steps": steps}


def step_layout_all(form: StepForm) -> list[ItemView]:
    """For the preview: every item, conditions shown as notes."""
    views = []
    for item in form.step["items"]:
        view = ItemView(item=item, condition=json.dumps({"condition": item["condition"], "known": {}})
                        if item.get("condition") else "",
                        condition_note=describe_condition(item.get("condition"), form.definition))
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
