"""Form definitions as plain data.

An editor builds a form with StreamField blocks (``forms.blocks``); when a
family opens a dossier, the blocks are compiled into a plain, JSON-ready
*definition* that is stored on the dossier (its snapshot). Everything that
runs afterwards — building the Django form of a step, conditions, required
checks, rendering the answers — reads this definition, never the blocks, so
editing the page next month never changes a dossier already opened.

A definition looks like::

    {"version": 1, "steps": [
        {"title": "…", "intro": "<p>…</p>", "condition": None, "items": [
            {"type": "text", "name": "prenom", "label": "Prénom", "help_text": "",
             "required": True, "prefill": "child.first_name", "condition": None},
            {"type": "group", "name": "personnes", "label": "…", "min_count": 1,
             "max_count": 4, "item_label": "Personne", "fields": [ … ]},
        ]},
    ]}

A condition (``forms.conditions``) is ``{"match": "all"|"any", "clauses":
[{"field": <name>, "op": …, "value": "…", "value2": "…"}]}`` and may only
name questions placed before it: that keeps evaluation one pass, in the
order the family reads the form.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from wagtail.coreutils import safe_snake_case

from files.constants import FILE_KINDS, MAX_FILE_SIZE_MB

from .conditions import COMPARISONS, answer_tokens, clauses_of, comparable, condition_met  # noqa: F401 — re-exported

from .constants import (
    DISPLAY_TYPES,
    GROUP_MEMBER_TYPES,
    ChoiceWidget,
    ConditionMatch,
    ConditionOperator,
    FieldType,
    Prefill,
)

VERSION = 1
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
MAX_GROUP_COUNT = 20
MAX_CHOICE_LENGTH = 200

Definition = dict[str, Any]
Item = dict[str, Any]


# --- Compiling blocks ---------------------------------------------------------


def clean_name(raw: str, label: str) -> str:
    """The answer key of a question: the name the editor gave, or one made
    from its label, like Wagtail's own form builder does."""
    name = safe_snake_case(raw or "") or safe_snake_case(label or "")
    name = name.strip("_")[:60]
    if name and not name[0].isalpha():
        name = f"q_{name}"[:60]
    return name


def _text(value: Any) -> str:
    if value is None:
        return ""
    source = getattr(value, "source", None)
    return str(source if source is not None else value).strip()


def _clause(value: Any) -> dict | None:
    field = _text(value.get("field"))
    if not field:
        return None
    return {
        "field": field,
        "op": value.get("operator") or ConditionOperator.EQUALS.value,
        "value": _text(value.get("value")),
        "value2": _text(value.get("value2")),
    }


def condition_from_block(value: Any) -> dict | None:
    """A condition block's value as the definition keeps it (or None):
    ``{"match": "all" | "any", "clauses": […]}`` (``forms.conditions``)."""
    if not value:
        return None
    if "clauses" in value:
        clauses = [c for c in (_clause(item) for item in value.get("clauses") or []) if c]
    else:  # a block saved before clauses existed
        clauses = [c for c in [_clause(value)] if c]
    if not clauses:
        return None
    return {"match": value.get("match") or ConditionMatch.ALL.value, "clauses": clauses}


def _choices(value: Any) -> list[str]:
    seen: list[str] = []
    for line in _text(value).splitlines():
        line = line.strip()
        if line and line not in seen:
            seen.append(line)
    return seen


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value or None


def _number(value: Any) -> int | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    value = Decimal(str(value)).normalize()
    return int(value) if value == value.to_integral_value() else str(value)


def item_from_block(block_type: str, value: Any, key: str) -> Item:
    """One question (or heading, or group) from its block value."""
    if block_type in DISPLAY_TYPES:
        return {
            "type": block_type,
            "name": f"_{key}",
            "label": _text(value.get("text")) if block_type == FieldType.HEADING else "",
            "text": _text(value.get("text")),
            "condition": condition_from_block(value.get("condition")),
        }
    label = _text(value.get("label"))
    item: Item = {
        "type": block_type,
        "name": clean_name(_text(value.get("name")), label),
        "label": label,
        "help_text": _text(value.get("help_text")),
        "condition": condition_from_block(value.get("condition")),
    }
    if block_type == FieldType.GROUP:
        item.update(
            {
                "min_count": int(value.get("min_count") or 0),
                "max_count": int(value.get("max_count") or 1),
                "item_label": _text(value.get("item_label")) or _("Élément"),
                "required": int(value.get("min_count") or 0) > 0,
                "fields": [
                    item_from_block(child.block_type, child.value, f"{key}_{i}")
                    for i, child in enumerate(value.get("fields") or [])
                ],
            }
        )
        for member in item["fields"]:
            member["condition"] = None
        return item
    item["required"] = bool(value.get("required"))
    item["prefill"] = value.get("prefill") or ""
    if block_type == FieldType.DATE:
        item.update({"min_date": _iso(value.get("min_date")), "max_date": _iso(value.get("max_date"))})
    elif block_type == FieldType.NUMBER:
        item.update(
            {
                "min_value": _number(value.get("min_value")),
                "max_value": _number(value.get("max_value")),
                "decimal_places": int(value.get("decimal_places") or 0),
            }
        )
    elif block_type in (FieldType.CHOICE, FieldType.MULTICHOICE):
        item["choices"] = _choices(value.get("choices"))
        if block_type == FieldType.CHOICE:
            item["widget"] = value.get("widget") or ChoiceWidget.RADIO.value
    elif block_type == FieldType.FILE:
        item.update(
            {
                "allowed_types": list(value.get("allowed_types") or []),
                "max_size_mb": int(value.get("max_size_mb") or 5),
                "max_age_months": int(value.get("max_age_months") or 0) or None,
            }
        )
    return item


def definition_from_stream(stream: Any) -> Definition:
    """Compile the page's StreamField of steps into a definition."""
    steps = []
    for index, child in enumerate(stream or []):
        value = child.value
        steps.append(
            {
                "title": _text(value.get("title")),
                "intro": _text(value.get("intro")),
                "condition": condition_from_block(value.get("condition")),
                "items": [
                    item_from_block(field.block_type, field.value, f"{index}_{i}")
                    for i, field in enumerate(value.get("fields") or [])
                ],
            }
        )
    definition = {"version": VERSION, "steps": steps}
    _resolve_condition_labels(definition)
    return definition


def _resolve_condition_labels(definition: Definition) -> None:
    """Editors may name the deciding question by its label: turn it into its name."""
    conditions = [step.get("condition") for step in definition["steps"]]
    conditions += [item.get("condition") for item in iter_items(definition)]
    resolve_condition_labels(conditions, definition)


def resolve_condition_labels(conditions, definition: Definition) -> None:
    """Conditions (of the form, or of a procedure's stages) may name the
    deciding question by its label: turn it into its name, in place."""
    by_label = {}
    for item in iter_items(definition):
        if is_input(item):
            by_label.setdefault(item["label"].strip().casefold(), item["name"])
    names = {item["name"] for item in iter_items(definition)}
    for condition in conditions:
        for clause in clauses_of(condition)[1]:
            if clause["field"] not in names:
                clause["field"] = by_label.get(clause["field"].strip().casefold(), clause["field"])


# --- Walking a definition ------------------------------------------------------


def iter_items(definition: Definition) -> Iterator[Item]:
    for step in definition.get("steps", []):
        yield from step.get("items", [])


def is_input(item: Item) -> bool:
    return item.get("type") not in DISPLAY_TYPES


def input_items(definition: Definition) -> Iterator[Item]:
    return (item for item in iter_items(definition) if is_input(item))


def items_by_name(definition: Definition) -> dict[str, Item]:
    return {item["name"]: item for item in input_items(definition)}


def step_of(definition: Definition, name: str) -> int | None:
    for index, step in enumerate(definition.get("steps", [])):
        if any(item.get("name") == name for item in step.get("items", [])):
            return index
    return None


# --- Conditions -------------------------------------------------------------------


def visible_answers_before(definition: Definition, answers: dict[str, Any], step_index: int) -> dict[str, Any]:
    """The answers that count for conditions when the family reaches a step:
    those of visible questions of the steps before it."""
    effective: dict[str, Any] = {}
    for index, step in enumerate(definition.get("steps", [])):
        if index >= step_index:
            break
        if not condition_met(step.get("condition"), effective):
            continue
        for item in step.get("items", []):
            if is_input(item) and condition_met(item.get("condition"), effective) and item["name"] in answers:
                effective[item["name"]] = answers[item["name"]]
    return effective


def visibility(definition: Definition, answers: dict[str, Any]) -> tuple[set[int], set[str]]:
    """The steps and items (by name) shown for these answers."""
    effective: dict[str, Any] = {}
    steps: set[int] = set()
    names: set[str] = set()
    for index, step in enumerate(definition.get("steps", [])):
        if not condition_met(step.get("condition"), effective):
            continue
        steps.add(index)
        for item in step.get("items", []):
            if condition_met(item.get("condition"), effective):
                names.add(item["name"])
                if is_input(item) and item["name"] in answers:
                    effective[item["name"]] = answers[item["name"]]
    return steps, names


def prune_answers(definition: Definition, answers: dict[str, Any]) -> dict[str, Any]:
    """Only the answers of questions that exist and are shown: a hidden
    question is neither required nor stored."""
    _steps, names = visibility(definition, answers)
    known = items_by_name(definition)
    return {name: value for name, value in answers.items() if name in known and name in names}


def is_empty(value: Any) -> bool:
    """No answer. ``False`` is an answer (« non »); an unticked consent box
    is stored as no answer at all."""
    return value is None or value == "" or value == []


def missing_required(definition: Definition, answers: dict[str, Any]) -> list[tuple[int, Item]]:
    """Visible required questions still unanswered, with their step."""
    steps, names = visibility(definition, answers)
    missing = []
    for index, step in enumerate(definition.get("steps", [])):
        if index not in steps:
            continue
        for item in step.get("items", []):
            if not is_input(item) or item["name"] not in names:
                continue
            value = answers.get(item["name"])
            if item["type"] == FieldType.GROUP:
                if len(value or []) < item.get("min_count", 0):
                    missing.append((index, item))
            elif item.get("required") and is_empty(value):
                missing.append((index, item))
    return missing


# --- Checking a definition (editor side) ---------------------------------------------


def _number_or_none(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _item_problems(item: Item, where: str, *, in_group: bool = False) -> list[str]:
    problems = []
    kind = item.get("type")
    label = item.get("label") or item.get("name")
    if kind not in FieldType.values or (in_group and kind not in GROUP_MEMBER_TYPES):
        return [_("%(where)s : le type « %(type)s » n'est pas permis ici.") % {"where": where, "type": kind}]
    if kind in DISPLAY_TYPES:
        return problems
    if not item.get("label"):
        problems.append(_("%(where)s : une question n'a pas de libellé.") % {"where": where})
    if not NAME_RE.match(item.get("name") or ""):
        problems.append(
            _("%(where)s : le nom « %(name)s » doit commencer par une lettre et ne contenir que des lettres "
              "minuscules sans accent, des chiffres et « _ ».") % {"where": where, "name": item.get("name")}
        )
    if item.get("prefill") and item["prefill"] not in Prefill.values:
        problems.append(_("%(where)s : pré-remplissage inconnu pour « %(label)s ».") % {"where": where, "label": label})
    elif item.get("prefill") and kind == FieldType.FILE:
        # A document is a file the family uploads: nothing of its profile can stand for it.
        problems.append(_("%(where)s : « %(label)s » est un document à joindre, il ne se pré-remplit pas : laissez "
                          "« Pré-remplir avec » vide.") % {"where": where, "label": label})
    if kind in (FieldType.CHOICE, FieldType.MULTICHOICE):
        choices = item.get("choices") or []
        if not choices:
            problems.append(_("%(where)s : « %(label)s » n'a aucun choix.") % {"where": where, "label": label})
        if any(len(c) > MAX_CHOICE_LENGTH for c in choices):
            problems.append(_("%(where)s : un choix de « %(label)s » dépasse %(max)s caractères.")
                            % {"where": where, "label": label, "max": MAX_CHOICE_LENGTH})
    if kind == FieldType.DATE and item.get("min_date") and item.get("max_date"):
        if item["min_date"] > item["max_date"]:
            problems.append(_("%(where)s : pour « %(label)s », la date au plus tôt est après la date au plus tard.")
                            % {"where": where, "label": label})
    if kind == FieldType.NUMBER:
        low, high = _number_or_none(item.get("min_value")), _number_or_none(item.get("max_value"))
        if low is not None and high is not None and low > high:
            problems.append(_("%(where)s : pour « %(label)s », le minimum dépasse le maximum.")
                            % {"where": where, "label": label})
        if not 0 <= int(item.get("decimal_places") or 0) <= 4:
            problems.append(_("%(where)s : « %(label)s » accepte de 0 à 4 décimales.") % {"where": where, "label": label})
    if kind == FieldType.FILE:
        kinds = item.get("allowed_types") or []
        if not kinds or any(k not in FILE_KINDS for k in kinds):
            problems.append(_("%(where)s : choisissez les types de document permis pour « %(label)s ».")
                            % {"where": where, "label": label})
        if not 1 <= int(item.get("max_size_mb") or 0) <= MAX_FILE_SIZE_MB:
            problems.append(_("%(where)s : la taille maximale de « %(label)s » doit être entre 1 et %(max)s Mo.")
                            % {"where": where, "label": label, "max": MAX_FILE_SIZE_MB})
    if kind == FieldType.GROUP:
        low, high = item.get("min_count", 0), item.get("max_count", 0)
        if not (0 <= low <= high <= MAX_GROUP_COUNT and high >= 1):
            problems.append(_("%(where)s : le groupe « %(label)s » doit avoir un minimum ≤ maximum, "
                              "un maximum entre 1 et %(max)s.") % {"where": where, "label": label, "max": MAX_GROUP_COUNT})
        members = item.get("fields") or []
        if not [m for m in members if is_input(m)]:
            problems.append(_("%(where)s : le groupe « %(label)s » n'a aucune question.") % {"where": where, "label": label})
        seen = set()
        for member in members:
            problems += _item_problems(member, where, in_group=True)
            if member.get("name") in seen:
                problems.append(_("%(where)s : deux questions du groupe « %(label)s » portent le nom « %(name)s ».")
                                % {"where": where, "label": label, "name": member.get("name")})
            seen.add(member.get("name"))
    return problems


def describe_condition(condition: dict | None, definition: Definition) -> str:
    """A condition as an editor reads it, with the questions' labels:
    « « Allergies ? » vaut « Oui » et « Âge » est supérieure à 3 »."""
    match, clauses = clauses_of(condition)
    labels = {item["name"]: item.get("label") or item["name"] for item in input_items(definition)}
    verbs = {
        ConditionOperator.EQUALS: _("vaut « %(value)s »"),
        ConditionOperator.NOT_EQUALS: _("ne vaut pas « %(value)s »"),
        ConditionOperator.FILLED: _("est renseignée"),
        ConditionOperator.GREATER: _("est supérieure à %(value)s"),
        ConditionOperator.LESS: _("est inférieure à %(value)s"),
        ConditionOperator.BETWEEN: _("est comprise entre %(value)s et %(value2)s"),
    }
    parts = [
        "« %s » %s" % (labels.get(clause["field"], clause["field"]),
                      verbs.get(clause.get("op"), verbs[ConditionOperator.EQUALS])
                      % {"value": clause.get("value", ""), "value2": clause.get("value2", "")})
        for clause in clauses
    ]
    return (_(" ou ") if match == ConditionMatch.ANY else _(" et ")).join(parts)


def condition_problem(condition: dict | None, before: dict[str, Item], where: str) -> str | None:
    """What is wrong with ``condition`` given the questions it may name
    (``before``), or None: a question not placed before, an operator the
    question's answers cannot meet, a value it can never have (« Vrai » on
    a yes/no, a choice it does not offer, a number or a date that is not
    one), a range that is empty."""
    for clause in clauses_of(condition)[1]:
        problem = _clause_problem(clause, before, where)
        if problem:
            return problem
    return None


YESNO_VALUES = ("oui", "non")


def _clause_problem(clause: dict, before: dict[str, Item], where: str) -> str | None:
    field, op, value = clause.get("field"), clause.get("op"), (clause.get("value") or "").strip()
    target = before.get(field)
    if target is None:
        return _("%(where)s : la condition porte sur « %(field)s », qui n'est pas une question placée avant.") % {
            "where": where, "field": field}
    label = target.get("label") or field
    if target["type"] == FieldType.GROUP:
        return _("%(where)s : une condition ne peut pas porter sur un groupe répété.") % {"where": where}
    if op not in ConditionOperator.values:
        return _("%(where)s : opérateur de condition inconnu.") % {"where": where}
    if op == ConditionOperator.FILLED:
        return None
    if not value:
        return _("%(where)s : indiquez la valeur attendue de la condition sur « %(label)s ».") % {
            "where": where, "label": label}
    if op in COMPARISONS:
        kind = {FieldType.NUMBER: "n", FieldType.DATE: "d"}.get(target["type"])
        if kind is None:
            return _("%(where)s : « %(label)s » n'est ni un nombre ni une date : elle ne se compare pas.") % {
                "where": where, "label": label}
        ends = [value] + ([clause.get("value2") or ""] if op == ConditionOperator.BETWEEN else [])
        found = [comparable(end) for end in ends]
        if any(f is None or f[0] != kind for f in found):
            expected = _("un nombre, par exemple 3 ou 3,5") if kind == "n" else _("une date, par exemple 14/03/2023")
            return _("%(where)s : la condition sur « %(label)s » attend %(expected)s.") % {
                "where": where, "label": label, "expected": expected}
        if op == ConditionOperator.BETWEEN and not condition_met(
                {"match": "all", "clauses": [{**clause, "value2": ends[1]}]}, {field: ends[0]}):
            return _("%(where)s : la condition sur « %(label)s » ne peut jamais être remplie : la première "
                     "borne est après la seconde.") % {"where": where, "label": label}
        return None
    possible = _possible_answers(target)
    if possible is not None and norm_text(value) not in {norm_text(p) for p in possible}:
        return _("%(where)s : « %(value)s » n'est pas une réponse possible à « %(label)s » (réponses : "
                 "%(possible)s) : la condition ne pourrait jamais être remplie.") % {
            "where": where, "value": value, "label": label, "possible": ", ".join(possible)}
    return None


def norm_text(value: Any) -> str:
    return answer_tokens(value)[0] if answer_tokens(value) else ""


def _possible_answers(item: Item) -> list[str] | None:
    """The answers a question can have, when there are few (None: any text)."""
    if item["type"] in (FieldType.YESNO, FieldType.CONSENT):
        return ["Oui", "Non"] if item["type"] == FieldType.YESNO else ["Oui"]
    if item["type"] in (FieldType.CHOICE, FieldType.MULTICHOICE):
        return list(item.get("choices") or [])
    return None


def definition_problems(definition: Definition) -> list[str]:
    """Every reason this definition cannot be filled in, in French, for the editor."""
    return [problem for problems in definition_problems_by_step(definition).values() for problem in problems]


def definition_problems_by_step(definition: Definition) -> dict[int | None, list[str]]:
    """The same reasons, by the position of the step they belong to (None:
    the form as a whole), so that the editor reads each next to its step."""
    found: dict[int | None, list[str]] = {}
    steps = definition.get("steps") or []
    if not steps:
        return {None: [_("Ajoutez au moins une étape au formulaire.")]}
    before: dict[str, Item] = {}
    for index, step in enumerate(steps):
        problems = found.setdefault(index, [])
        where = _("Étape %(n)s") % {"n": index + 1}
        if not step.get("title"):
            problems.append(_("%(where)s : donnez un titre à l'étape.") % {"where": where})
        problem = condition_problem(step.get("condition"), before, where)
        if problem:
            problems.append(problem)
        for item in step.get("items", []):
            problems += _item_problems(item, where)
            problem = condition_problem(item.get("condition"), before, where)
            if problem:
                problems.append(problem)
            if is_input(item):
                if item["name"] in before:
                    problems.append(_("%(where)s : deux questions portent le nom « %(name)s » ; "
                                      "donnez-leur des noms différents.") % {"where": where, "name": item["name"]})
                before[item["name"]] = item
    if not before:
        found[None] = [_("Le formulaire ne pose aucune question.")]
    return {index: problems for index, problems in found.items() if problems}
