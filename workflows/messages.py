"""A procedure's own wording of its e-mails: which text a dossier's message
uses, the variables a procedure adds (``procedure``, ``answers``,
``stage``), and the editor's preview of them on the procedure's own sample
dossier."""

from __future__ import annotations

from dataclasses import dataclass

from forms.constants import FieldType
from forms.definition import input_items
from forms.selectors import display_value
from notifications import rendering
from notifications.defaults import DEFAULT_TEMPLATES
from notifications.models import MessageTemplate
from notifications.variables import FreeFields, sample_context

# What a sample dossier answers, by type of question (for the preview).
SAMPLE_ANSWERS = {
    FieldType.TEXT: "Sainte-Luce",
    FieldType.TEXTAREA: "Rien à signaler.",
    FieldType.EMAIL: "nadege.joseph@example.org",
    FieldType.PHONE: "06 96 12 34 56",
    FieldType.DATE: "2023-03-14",
    FieldType.NUMBER: 3,
    FieldType.YESNO: True,
    FieldType.POSTAL_CODE: "97228",
    FieldType.CONSENT: True,
}


def answers_as_text(definition: dict, answers: dict) -> FreeFields:
    """The answers as a family reads them, by question name (documents and
    repeated groups left out)."""
    text = FreeFields()
    for item in input_items(definition):
        if item["type"] in (FieldType.FILE, FieldType.GROUP) or item["name"] not in answers:
            continue
        text[item["name"]] = display_value(item, answers[item["name"]])
    return text


def _sample_answers(definition: dict) -> dict:
    answers = {}
    for item in input_items(definition):
        if item["type"] in (FieldType.CHOICE, FieldType.MULTICHOICE) and item.get("choices"):
            answers[item["name"]] = item["choices"][0] if item["type"] == FieldType.CHOICE else item["choices"][:1]
        elif item["type"] in SAMPLE_ANSWERS:
            answers[item["name"]] = SAMPLE_ANSWERS[item["type"]]
    return answers


def procedure_sample_context(*, event: str, page=None, definition: dict | None = None, title: str = "",
                             school_year: str = "", stages: list[dict] | None = None) -> dict:
    """The sample dossier of ``event``, as this procedure would send it:
    ``page``, or the form ``definition``, ``title`` and ``stages`` of a
    page being edited."""
    sample = sample_context(event)
    if page is not None:
        definition, title, school_year = page.get_definition(), page.title, page.school_year
        stages = page.compiled_stages()
    if definition is None:
        return sample
    sample["procedure"] = {"name": title, "school_year": school_year}
    sample["answers"] = FreeFields.known(answers_as_text(definition, _sample_answers(definition)))
    stages = stages or []
    waiting = [s for s in stages if s["kind"] in ("review", "payment")]
    if "stage" in sample:
        sample["stage"] = {"title": waiting[0]["title"] if waiting else ""}
    if "next_stage" in sample:
        sample["next_stage"] = {"title": waiting[1]["title"] if len(waiting) > 1 else ""}
    return sample


def procedure_templates(*, page_id: int | None) -> dict[str, tuple[str, str]]:
    """Every (subject, body) the procedure has its own wording for, by event,
    in one query: a submission tells the family and the reviewers, and reads
    the page's messages once for both."""
    if not page_id:
        return {}
    from .models import ProcedureMessage

    found: dict[str, tuple[str, str]] = {}
    for event, subject, body in ProcedureMessage.objects.filter(page_id=page_id).values_list("event", "subject", "body"):
        found.setdefault(event, (subject, body))  # the first in the page's order, as procedure_template
    return found


def procedure_template(*, page_id: int | None, event: str) -> tuple[str, str] | None:
    """The procedure's own (subject, body) for ``event``, if it has one."""
    if not page_id:
        return None
    from .models import ProcedureMessage

    found = ProcedureMessage.objects.filter(page_id=page_id, event=event).values_list("subject", "body").first()
    return tuple(found) if found else None


@dataclass
class MessagePreview:
    event: str
    label: str
    own: bool
    subject: str = ""
    body: str = ""
    problems: list[str] | None = None

    @property
    def body_html(self) -> str:
        """The body as the e-mail's HTML part shows it: paragraphs, links."""
        return rendering.html_body(self.body)


def procedure_previews(*, page) -> list[MessagePreview]:
    """Every message about a dossier of this procedure, rendered on its
    sample dossier: its own wording where it has one, else the portal's."""
    from .models.procedures import dossier_events

    own = {message.event: message for message in page.messages.all()}
    portal = {t.event: t for t in MessageTemplate.objects.all()}
    previews = []
    for event, label in dossier_events():
        sample = procedure_sample_context(event=event, page=page)
        if event in own:
            subject, body = own[event].subject, own[event].body
        elif event in portal:
            subject, body = portal[event].subject, portal[event].body
        else:
            subject, body = DEFAULT_TEMPLATES[event]
        preview = MessagePreview(event=event, label=label, own=event in own)
        problems = [str(p) for p in rendering.template_problems(subject, sample) + rendering.template_problems(body, sample)]
        if problems:
            preview.problems = problems
        else:
            preview.subject = rendering.render_subject(subject, sample)
            preview.body = rendering.render(body, sample)
        previews.append(preview)
    return previews
