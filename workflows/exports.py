"""Spreadsheets of dossiers: one row per dossier, one column per question
of the forms they answered, in French, dates and numbers the French way.

Every heading is unique: a question whose label is that of one of the
dossier's own columns (« Date de naissance » asked again in the form) says it
is the form's answer, and two questions of one label are told apart by
their name. In the XLSX, dates are date cells (shown dd/mm/yyyy), so that a
spreadsheet sorts and filters them as dates; the CSV writes them the French
way."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from forms.constants import FieldType
from forms.definition import input_items
from forms.selectors import display_value

from .models import Dossier

BATCH = 200


def _fixed_columns() -> list[str]:
    return [
        _("Référence"), _("Prénom de l'enfant"), _("Nom de l'enfant"), _("Date de naissance"), _("Niveau"),
        _("Famille"), _("École"), _("Démarche"), _("État"), _("Déposé le"), _("Décidé le"), _("Confirmé le"),
    ]


# A cell: text, or a date (a datetime in Martinique time, naive: a
# spreadsheet has no time zones).
Cell = str | datetime.date | datetime.datetime

XLSX_DATE = "DD/MM/YYYY"
XLSX_DATETIME = "DD/MM/YYYY HH:MM"


def _datetime(value) -> Cell:
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if value else ""


def _headings(questions: list[tuple[str, str]]) -> list[str]:
    """The question columns' headings, each distinct from the dossier's own
    columns and from one another."""
    taken = {heading.casefold() for heading in _fixed_columns()}
    labels = [label for _name, label in questions]
    headings = []
    for name, label in questions:
        heading = label
        if label.casefold() in taken:
            heading = _("%(label)s (réponse au formulaire)") % {"label": label}
        if labels.count(label) > 1 or heading.casefold() in taken:
            heading = f"{heading} [{name}]"
        n = 2
        unique = heading
        while unique.casefold() in taken:
            unique, n = f"{heading} ({n})", n + 1
        taken.add(unique.casefold())
        headings.append(unique)
    return headings


def _question_columns(dossiers: Iterable[Dossier]) -> list[tuple[str, str]]:
    """(name, label) of every question, in the order of the forms; a
    question asked by several forms (or years) is one column."""
    columns: dict[str, str] = {}
    for dossier in dossiers:
        for item in input_items(dossier.submission.definition):
            columns.setdefault(item["name"], item["label"])
    return list(columns.items())


def _answer(item: dict, value, documents: dict) -> Cell:
    if item["type"] == FieldType.GROUP:
        members = [m for m in item.get("fields", []) if m.get("type") not in {FieldType.HEADING, FieldType.PARAGRAPH}]
        return " | ".join(
            " ; ".join(f"{m['label']} : {display_value(m, row.get(m['name']))}" for m in members)
            for row in value or []
        )
    if item["type"] == FieldType.FILE:
        document = documents.get(item["name"])
        return document.original_name if document else ""
    if item["type"] == FieldType.DATE and value:
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return str(value)
    return display_value(item, value)


def _row(dossier: Dossier, questions: list[tuple[str, str]]) -> list[Cell]:
    child = dossier.child
    submission = dossier.submission
    items = {item["name"]: item for item in input_items(submission.definition)}
    documents = {d.field_name: d for d in submission.documents.all()}
    fixed = [
        dossier.reference or "",
        child.first_name,
        child.last_name,
        child.birth_date or "",
        child.get_level_display() if child.level else "",
        dossier.family.name,
        dossier.school.name,
        submission.form_title,
        dossier.get_state_display(),
        _datetime(dossier.submitted_at),
        _datetime(dossier.decided_at),
        _datetime(dossier.confirmed_at),
    ]
    answers = [
        _answer(items[name], submission.answers.get(name), documents) if name in items else ""
        for name, _label in questions
    ]
    return [v if isinstance(v, datetime.date) else _inert(str(v)) for v in fixed + answers]


def _inert(value: str) -> str:
    """Families type the answers: a cell must never become a formula in the
    school's spreadsheet (« =HYPERLINK(…) » stays text)."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def build_table(
    dossiers, *, progress: Callable[[int], None] | None = None
) -> tuple[list[str], list[list[Cell]], list[Dossier]]:
    """Headers, rows and the dossiers they came from (in row order), for
    ``dossiers`` (a queryset), read in batches."""
    queryset = dossiers.select_related("child", "family", "school", "submission").prefetch_related(
        "submission__documents"
    )
    ids = list(queryset.values_list("pk", flat=True))
    questions: dict[str, str] = {}
    chunks: list[list[Dossier]] = []
    for start in range(0, len(ids), BATCH):
        chunk = list(queryset.filter(pk__in=ids[start:start + BATCH]).order_by("-submitted_at", "-pk"))
        chunks.append(chunk)
        for name, label in _question_columns(chunk):
            questions.setdefault(name, label)
    columns = list(questions.items())
    rows: list[list[Cell]] = []
    for chunk in chunks:
        rows.extend(_row(dossier, columns) for dossier in chunk)
        if progress:
            progress(len(rows))
    return _fixed_columns() + _headings(columns), rows, [dossier for chunk in chunks for dossier in chunk]


def _as_text(value: Cell) -> str:
    if isinstance(value, datetime.datetime):
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return value


def to_csv(headers: list[str], rows: list[list[Cell]]) -> bytes:
    """Semicolon-separated with a byte-order mark: what a French spreadsheet
    opens without an import dialog."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_as_text(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], rows: list[list[Cell]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = _("Dossiers")[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # Text stays text: a reference « 2026-00012 » or a phone number must
        # not become a date or a number in the spreadsheet; dates are dates.
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = XLSX_DATETIME
            elif isinstance(cell.value, datetime.date):
                cell.number_format = XLSX_DATE
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
