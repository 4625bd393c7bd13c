"""Django forms from a definition, built on Wagtail's ``FormBuilder``.

Wagtail's builder turns a list of field records into a form class through
``create_<type>_field`` methods; ``DossierFormBuilder`` adds the types of an
enrolment dossier (French phone number, postal code, yes/no, consent,
document) and reads its records from the dossier's definition. ``StepForm``
then cleans one step in reading order so that conditions see the answers
given above them: a question hidden by a condition is neither required nor
kept.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import django.forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.utils import ErrorList
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.contrib.forms.forms import BaseForm, FormBuilder

from files import checks

from .constants import ChoiceWidget, FieldType
from .definition import Definition, Item, condition_met, is_empty, is_input, visible_answers_before

MAX_TEXT = 255
MAX_TEXTAREA = 5000
MAX_POST_VALUE = 10000
NUMBER_LIMIT = Decimal("999999999999")
ACTIONS = ("next", "previous", "save")
YES, NO = "oui", "non"


def required_message(item: Item) -> str:
    if item["type"] == FieldType.CONSENT:
        return _("Cochez cette case pour continuer.")
    if item["type"] == FieldType.FILE:
        return _("Joignez ce document.")
    return _("Ce champ est obligatoire.")


# --- Field types Django does not have -----------------------------------------------


class FrenchPhoneField(django.forms.CharField):
    """A French number (mainland or overseas), kept as « 06 96 12 34 56 »."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"type": "tel", "autocomplete": "tel", "inputmode": "tel"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        digits = re.sub(r"[\s.\-()]", "", value)
        for prefix in ("+33", "0033", "+596", "00596", "+594", "00594", "+262", "00262", "+590", "00590"):
            if digits.startswith(prefix) and len(digits) == len(prefix) + 9:
                digits = "0" + digits[len(prefix):]
                break
        if not re.fullmatch(r"0[1-9]\d{8}", digits):
            raise ValidationError(
                _("Saisissez un numéro de téléphone français à 10 chiffres, par exemple 0696 12 34 56."),
                code="invalid",
            )
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))


class PostalCodeField(django.forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "postal-code"})

    def to_python(self, value):
        value = super().to_python(value)
        if value and not re.fullmatch(r"(0[1-9]|[1-8]\d|9[0-8])\d{3}", value):
            raise ValidationError(_("Saisissez un code postal à 5 chiffres, par exemple 97228."), code="invalid")
        return value


class DocumentField(django.forms.FileField):
    """A document to join. What the file *is* is checked by ``check_upload``."""

    def __init__(self, *, item: Item, **kwargs):
        self.item = item
        kwargs.setdefault("widget", django.forms.ClearableFileInput)
        super().__init__(**kwargs)
        self.widget = django.forms.FileInput(attrs={"accept": accept_attribute(item)})


def accept_attribute(item: Item) -> str:
    return checks.accept_attribute(item.get("allowed_types", []))


def kinds_label(item: Item) -> str:
    return checks.kinds_label(item.get("allowed_types", []))


def check_upload(upload, item: Item) -> tuple[str, str]:
    """The portal's one upload pipeline (``files.checks``) with the types
    and size the editor allowed on the question. Returns the sanitised name
    and the content type."""
    checked = checks.check_upload(upload, kinds=item.get("allowed_types", []), max_mb=int(item.get("max_size_mb") or 5))
    return checked.name, checked.content_type


# --- Wagtail's FormBuilder, fed from a definition ------------------------------------


class FieldRecord:
    """What Wagtail's ``FormBuilder`` expects of a field (an ``AbstractFormField``)."""

    def __init__(self, item: Item, clean_name: str):
        self.item = item
        self.field_type = item["type"]
        self.clean_name = clean_name
        self.label = item.get("label", "")
        self.help_text = item.get("help_text", "")
        self.required = bool(item.get("required"))
        self.default_value = ""
        self.choices = "\n".join(item.get("choices", []))


class DossierFormBuilder(FormBuilder):
    @property
    def formfields(self):
        fields = super().formfields
        for record in self.fields:
            # Templates read the question (required, type…) from its field.
            fields[record.clean_name].spec = record.item
        return fields

    def get_field_options(self, field: FieldRecord) -> dict[str, Any]:
        # Required is checked by StepForm, which knows whether the question
        # is shown and whether the family is only saving a draft.
        return {"label": field.label, "help_text": field.help_text, "required": False}

    def get_formatted_field_choices(self, field: FieldRecord):
        # One choice per line, commas allowed inside a choice.
        return [(choice, choice) for choice in field.item.get("choices", [])]

    def create_text_field(self, field, options):
        return self.create_singleline_field(field, options)

    def create_textarea_field(self, field, options):
        options["max_length"] = MAX_TEXTAREA
        return self.create_multiline_field(field, options)

    def create_email_field(self, field, options):
        options["max_length"] = 254
        return super().create_email_field(field, options)

    def create_phone_field(self, field, options):
        return FrenchPhoneField(**options)

    def create_postal_code_field(self, field, options):
        return PostalCodeField(**options)

    def create_date_field(self, field, options):
        validators = []
        if field.item.get("min_date"):
            low = datetime.date.fromisoformat(field.item["min_date"])
            validators.append(MinValueValidator(low, _("La date doit être le %(date)s ou après.")
                                                % {"date": date_format(low, "SHORT_DATE_FORMAT")}))
        if field.item.get("max_date"):
            high = datetime.date.fromisoformat(field.item["max_date"])
            validators.append(MaxValueValidator(high, _("La date doit être le %(date)s ou avant.")
                                                % {"date": date_format(high, "SHORT_DATE_FORMAT")}))
        options.update(
            validators=validators,
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            widget=django.forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        return super().create_date_field(field, options)

    def create_number_field(self, field, options):
        item = field.item
        places = int(item.get("decimal_places") or 0)
        low = Decimal(str(item["min_value"])) if item.get("min_value") is not None else -NUMBER_LIMIT
        high = Decimal(str(item["max_value"])) if item.get("max_value") is not None else NUMBER_LIMIT
        if places == 0:
            return django.forms.IntegerField(min_value=int(low), max_value=int(high), **options)
        # localize: families type « 1,5 » as well as « 1.5 ».
        field_ = django.forms.DecimalField(min_value=low, max_value=high, max_digits=16, decimal_places=places,
                                           localize=True, **options)
        field_.widget.attrs["inputmode"] = "decimal"
        return field_

    def create_choice_field(self, field, options):
        if field.item.get("widget") == ChoiceWidget.SELECT:
            field_ = self.create_dropdown_field(field, options)
            field_.choices = [("", _("— Choisir —")), *field_.choices]
            return field_
        return self.create_radio_field(field, options)

    def create_multichoice_field(self, field, options):
        options["choices"] = self.get_formatted_field_choices(field)
        options["widget"] = django.forms.CheckboxSelectMultiple
        return django.forms.MultipleChoiceField(**options)

    def create_yesno_field(self, field, options):
        options["choices"] = [(YES, _("Oui")), (NO, _("Non"))]
        options["widget"] = django.forms.RadioSelect
        return django.forms.ChoiceField(**options)

    def create_consent_field(self, field, options):
        return self.create_checkbox_field(field, options)

    def create_file_field(self, field, options):
        return DocumentField(item=field.item, **options)


# --- Answers <-> form values -----------------------------------------------------------


def to_answer(item: Item, value: Any) -> Any:
    """A cleaned form value as the JSON answer stored on the dossier."""
    kind = item["type"]
    if value in (None, "", []):
        return None
    if kind == FieldType.DATE:
        return value.isoformat()
    if kind == FieldType.NUMBER:
        return value if isinstance(value, int) else str(value)
    if kind == FieldType.YESNO:
        return value == YES
    if kind == FieldType.CONSENT:
        return True if value else None
    if kind == FieldType.MULTICHOICE:
        return [choice for choice in item.get("choices", []) if choice in value]
    return value


def to_initial(item: Item, answer: Any) -> Any:
    if answer is None:
        return None
    if item["type"] == FieldType.YESNO:
        return YES if answer else NO
    if item["type"] == FieldType.NUMBER and isinstance(answer, str):
        return Decimal(answer)  # shown the French way, « 1,5 »
    return answer


def group_row_count(item: Item, answers: dict[str, Any], data: QueryDict | None) -> int:
    if data is not None:
        try:
            count = int(data.get(f"{item['name']}-count", ""))
        except ValueError:
            count = 0
        return max(0, min(count, item["max_count"]))
    # One blank line more than what is stored, so that a line can be added
    # even without the browser script.
    stored = len(answers.get(item["name"]) or [])
    return min(item["max_count"], max(stored + 1, item.get("min_count", 0), 1))


def post_problem(*, definition: Definition, step_index: int, data: QueryDict, files) -> str | None:
    """Why a POST for this step is not one our page could have sent: an
    unknown, repeated or oversized field. Such a POST is refused whole."""
    single = {"csrfmiddlewaretoken", "_action"}
    multi: dict[str, int] = {}
    file_names = set()
    for item in definition["steps"][step_index]["items"]:
        if not is_input(item):
            continue
        name = item["name"]
        if item["type"] == FieldType.GROUP:
            single.add(f"{name}-count")
            for i in range(item["max_count"]):
                single.update(f"{name}-{i}-{member['name']}" for member in item["fields"] if is_input(member))
        elif item["type"] == FieldType.FILE:
            # Browsers send an empty file input as an empty form value.
            file_names.add(name)
            single.update({name, f"{name}__clear"})
        elif item["type"] == FieldType.MULTICHOICE:
            multi[name] = len(item.get("choices", []))
        else:
            single.add(name)
    for key in data:
        values = data.getlist(key)
        if key not in single and key not in multi:
            return _("Le formulaire envoyé contient un champ inconnu (« %(name)s »). Rechargez la page.") % {
                "name": key[:40]}
        limit = multi.get(key, 1)
        if len(values) > limit or (key in multi and len(set(values)) != len(values)):
            return _("Le champ « %(name)s » a été envoyé plusieurs fois. Rechargez la page.") % {"name": key[:40]}
        if any(len(v) > MAX_POST_VALUE for v in values):
            return _("Une valeur envoyée est trop longue (%(max)s caractères au plus).") % {"max": MAX_POST_VALUE}
        if key.endswith("-count") and key in single and not re.fullmatch(r"\d{1,2}", values[0] or "0"):
            return _("Le nombre d'éléments envoyé n'est pas valide. Rechargez la page.")
    if data.get("_action", "next") not in ACTIONS:
        return _("Action inconnue. Rechargez la page.")
    for key in files:
        if key not in file_names:
            return _("Le formulaire envoyé contient un document inattendu (« %(name)s »).") % {"name": key[:40]}
        if len(files.getlist(key)) > 1:
            return _("Un seul document peut être joint pour « %(name)s ».") % {"name": key[:40]}
    return None


# --- One step of a dossier ----------------------------------------------------------------

_ERROR = object()


class StepForm(BaseForm):
    """The questions of one step. ``lenient`` (saving a draft, going back)
    skips required checks but never accepts a malformed answer."""

    def __init__(self, data=None, files=None, *, definition: Definition, step_index: int,
                 answers: dict[str, Any], documents: dict[str, Any] | None = None, lenient: bool = False,
                 **kwargs):
        self.definition = definition
        self.step_index = step_index
        self.step = definition["steps"][step_index]
        self.answers = answers
        self.documents = documents or {}
        self.lenient = lenient
        self.before = visible_answers_before(definition, answers, step_index)
        self.rows = {
            item["name"]: group_row_count(item, answers, data)
            for item in self.step["items"]
            if item["type"] == FieldType.GROUP
        }
        records = []
        initial = {}
        for item in self.step["items"]:
            if not is_input(item):
                continue
            if item["type"] == FieldType.GROUP:
                stored = answers.get(item["name"]) or []
                for i in range(self.rows[item["name"]]):
                    row = stored[i] if i < len(stored) else {}
                    for member in item["fields"]:
                        if is_input(member):
                            name = f"{item['name']}-{i}-{member['name']}"
                            records.append(FieldRecord(member, name))
                            initial[name] = to_initial(member, row.get(member["name"]))
            else:
                records.append(FieldRecord(item, item["name"]))
                if item["type"] != FieldType.FILE:
                    initial[item["name"]] = to_initial(item, answers.get(item["name"]))
        self.base_fields = DossierFormBuilder(records).formfields
        super().__init__(data, files, initial=initial, **kwargs)
        self.group_errors: dict[str, list[str]] = {}

    # Visible questions, answers and new documents, filled by full_clean().
    visible: set[str]
    step_answers: dict[str, Any]
    uploads: dict[str, tuple[Any, str, str]]
    cleared: set[str]

    # Screen readers read the message with the field: Django (5.2) renders
    # aria-invalid and aria-describedby="<id>_helptext <id>_error", and the
    # templates give the help and the error those ids (``forms/_macros.html``).

    def _clean_fields(self):
        effective = dict(self.before)
        self.visible, self.step_answers, self.uploads, self.cleared = set(), {}, {}, set()
        for item in self.step["items"]:
            if not condition_met(item.get("condition"), effective):
                continue
            self.visible.add(item["name"])
            if not is_input(item):
                continue
            if item["type"] == FieldType.GROUP:
                value = self._clean_group(item)
            elif item["type"] == FieldType.FILE:
                value = self._clean_file(item)
            else:
                value = self._clean_one(item["name"], item)
            if value is not _ERROR and not is_empty(value):
                self.step_answers[item["name"]] = value
                effective[item["name"]] = value

    def _clean_one(self, name: str, item: Item, *, check_required: bool = True) -> Any:
        bf = self[name]
        try:
            value = to_answer(item, bf.field.clean(bf.data))
        except ValidationError as error:
            self.add_error(name, error)
            return _ERROR
        self.cleaned_data[name] = value
        if check_required and item.get("required") and not self.lenient and is_empty(value):
            self.add_error(name, required_message(item))
            return _ERROR
        return value

    def _clean_file(self, item: Item) -> Any:
        name = item["name"]
        bf = self[name]
        existing = self.documents.get(name)
        upload = bf.data
        if upload:
            try:
                bf.field.clean(upload)
                safe_name, content_type = check_upload(upload, item)
                self._check_dossier_total(name, upload.size)
            except ValidationError as error:
                self.add_error(name, error)
                return _ERROR
            self.uploads[name] = (upload, safe_name, content_type)
            return "upload"
        if existing is not None and self.data.get(f"{name}__clear"):
            self.cleared.add(name)
            existing = None
        if existing is None:
            if item.get("required") and not self.lenient:
                self.add_error(name, required_message(item))
                return _ERROR
            return None
        return existing.pk

    def _check_dossier_total(self, name: str, size: int) -> None:
        """Every field has its size limit; the dossier as a whole has one too."""
        limit_mb = settings.DOSSIER_MAX_TOTAL_MB
        others = sum(d.size for field, d in self.documents.items() if field != name and field not in self.cleared)
        accepted = sum(upload.size for upload, _safe, _type in self.uploads.values())
        if others + accepted + size > limit_mb * 1024 * 1024:
            raise ValidationError(
                _("Avec ce document, le dossier dépasserait %(limit)s Mo au total : réduisez sa taille "
                  "(une photo ou un scan en qualité moyenne suffit)."),
                params={"limit": limit_mb},
            )

    def _clean_group(self, item: Item) -> Any:
        rows, failed = [], False
        for i in range(self.rows[item["name"]]):
            row, row_failed = {}, False
            members = [m for m in item["fields"] if is_input(m)]
            for member in members:
                value = self._clean_one(f"{item['name']}-{i}-{member['name']}", member, check_required=False)
                if value is _ERROR:
                    row_failed = True
                elif not is_empty(value):
                    row[member["name"]] = value
            if not row and not row_failed:
                continue  # an empty line is no line
            for member in members:
                name = f"{item['name']}-{i}-{member['name']}"
                if member.get("required") and member["name"] not in row and name not in self._errors:
                    self.add_error(name, required_message(member))
                    row_failed = True
            failed = failed or row_failed
            rows.append(row)
        messages = []
        if len(rows) > item["max_count"]:
            messages.append(ngettext("Indiquez au plus %(n)s élément.", "Indiquez au plus %(n)s éléments.",
                                     item["max_count"]) % {"n": item["max_count"]})
        if len(rows) < item.get("min_count", 0) and not self.lenient:
            messages.append(ngettext("Ajoutez au moins %(n)s ligne « %(what)s ».", "Ajoutez au moins %(n)s lignes « %(what)s ».",
                                     item["min_count"]) % {"n": item["min_count"], "what": item["item_label"]})
        if messages:
            self._errors[item["name"]] = ErrorList(messages)
            self.group_errors[item["name"]] = messages
            return _ERROR
        return _ERROR if failed else rows
