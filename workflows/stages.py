"""A procedure's stages as plain data: compiled from the page's blocks,
kept on each dossier (editing the page never changes a running dossier),
checked for the editor, and walked by the services and the flow.

A compiled stage is a dict: ``kind`` (``review``, ``payment``,
``attestation``), ``title``, a ``condition`` on the answers (the form
builder's, evaluated by the same code), and per kind:

- review: ``groups`` (reviewer group ids, in order), ``routing``,
  ``routing_question``, ``fallback``, ``decisions``, ``delay_days``; on a
  dossier also ``group`` (the group that examines it) and ``note`` (why,
  when it went to the fallback);
- payment: ``services``;
- attestation: ``title``, ``body``, ``signature`` (empty: the portal's text).

Review and payment stages are waited on, in order; the attestation is made
when the dossier is confirmed, wherever it stands in the list.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from forms.conditions import fields_of
from forms.definition import (
    condition_from_block,
    condition_met,
    condition_problem,
    input_items,
    resolve_condition_labels,
)

from .attestation import template_problem
from .constants import Decision, Routing, StageKind

Stage = dict[str, Any]
WAITING_KINDS = (StageKind.REVIEW.value, StageKind.PAYMENT.value)


def _text(value: Any) -> str:
    return str(value or "").strip()


def _id(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return value.pk if hasattr(value, "pk") else int(value)


def compile_stages(stream: Any, definition: dict) -> list[Stage]:
    """The page's StreamField of stages as the list dossiers keep."""
    stages: list[Stage] = []
    for child in stream or []:
        value, kind = child.value, child.block_type
        stage: Stage = {"kind": kind, "title": _text(value.get("title")),
                        "condition": condition_from_block(value.get("condition"))}
        if kind == StageKind.REVIEW:
            stage.update(
                groups=[g for g in (_id(group) for group in value.get("groups") or []) if g is not None],
                routing=value.get("routing") or Routing.SCHOOL.value,
                routing_question=_text(value.get("routing_question")),
                fallback=_id(value.get("fallback")),
                decisions=[d for d in Decision.values if d in (value.get("decisions") or [])],
                delay_days=value.get("delay_days") or None,
            )
        elif kind == StageKind.PAYMENT:
            stage["services"] = list(value.get("services") or [])
        elif kind == StageKind.ATTESTATION:
            stage.update(body=_text(value.get("body")), signature=_text(value.get("signature")))
        stages.append(stage)
    resolve_condition_labels([s["condition"] for s in stages], definition)
    questions = {item["label"].strip().casefold(): item["name"] for item in input_items(definition)}
    names = {item["name"] for item in input_items(definition)}
    for stage in stages:
        question = stage.get("routing_question")
        if question and question not in names:
            stage["routing_question"] = questions.get(question.casefold(), question)
    return stages


def stage_problems(stages: list[Stage], definition: dict, *, groups: dict[int, Any]) -> dict[int, list[str]]:
    """Why each stage (by position) cannot run, in French, for the editor.
    ``groups`` maps the reviewer groups named by the stages to their objects."""
    questions = {item["name"]: item for item in input_items(definition)}
    problems: dict[int, list[str]] = {}
    for index, stage in enumerate(stages):
        found: list[str] = []
        where = _("Étape « %(title)s »") % {"title": stage["title"] or index + 1}
        condition = stage.get("condition")
        unknown = [field for field in fields_of(condition) if field not in questions]
        if unknown:
            problem = _("%(where)s : la condition porte sur « %(field)s », qui n'est pas une question du "
                        "formulaire.") % {"where": where, "field": unknown[0]}
        else:
            problem = condition_problem(condition, questions, where)
        if problem:
            found.append(problem)
        if stage["kind"] == StageKind.REVIEW:
            if not stage["groups"]:
                found.append(_("Choisissez le groupe qui examine les dossiers à cette étape."))
            if not stage["decisions"]:
                found.append(_("Cochez au moins une décision possible."))
            elif Decision.VALIDATE not in stage["decisions"]:
                found.append(_("Sans « Valider », aucun dossier ne pourrait passer cette étape."))
            if stage["routing"] == Routing.ANSWER:
                if not stage["routing_question"]:
                    found.append(_("Indiquez la question qui donne la commune du dossier."))
                elif stage["routing_question"] not in questions:
                    found.append(_("« %(name)s » n'est pas une question du formulaire.")
                                 % {"name": stage["routing_question"]})
            chosen = [groups[g] for g in stage["groups"] if g in groups]
            scoped = all(group.kind == "members" and (group.schools.exists() or group.communes.strip())
                         for group in chosen)
            if chosen and (scoped or stage["routing"] == Routing.ANSWER) and not stage["fallback"]:
                found.append(_("Un dossier pourrait n'être couvert par aucun de ces groupes : choisissez le groupe "
                               "qui le reçoit alors (« Sinon, le groupe »)."))
        elif stage["kind"] == StageKind.PAYMENT and not stage["services"]:
            found.append(_("Choisissez au moins un service à payer."))
        elif stage["kind"] == StageKind.ATTESTATION and stage.get("body"):
            problem = template_problem(stage["body"])
            if problem:
                found.append(problem)
        if found:
            problems[index] = found
    kinds = [s["kind"] for s in stages]
    if kinds.count(StageKind.ATTESTATION) > 1:
        problems.setdefault(len(kinds) - 1 - kinds[::-1].index(StageKind.ATTESTATION), []).append(
            _("Une seule attestation par démarche."))
    return problems


def applies(stage: Stage, answers: dict) -> bool:
    """Whether the stage takes place for these answers."""
    return condition_met(stage.get("condition"), answers)


def next_stage(stages: list[Stage], answers: dict, *, after: int) -> int | None:
    """The position of the next stage waited on (a review or a payment)
    after ``after`` (-1: from the start) whose condition holds; None when
    the dossier has gone through them all."""
    for index in range(after + 1, len(stages)):
        if stages[index]["kind"] in WAITING_KINDS and applies(stages[index], answers):
            return index
    return None


def stage_of_kind(stages: list[Stage], kind: str) -> Stage | None:
    return next((stage for stage in stages if stage["kind"] == kind), None)


def route(stage: Stage, *, school, answers: dict, groups: dict[int, Any]) -> tuple[int | None, str]:
    """The group that examines this review stage for a dossier of ``school``
    with these answers, and why when it is the fallback: the first of the
    stage's groups that covers the dossier's school — or, routed by answer,
    the commune answered."""
    commune = ""
    if stage.get("routing") == Routing.ANSWER:
        commune = _text(answers.get(stage.get("routing_question") or ""))
    for group_id in stage.get("groups") or []:
        group = groups.get(group_id)
        if group is not None and group.covers(school=school, commune=commune):
            return group.pk, ""
    if stage.get("routing") == Routing.ANSWER:
        note = _("Aucun groupe ne couvre la commune « %(commune)s » : dossier confié au groupe de secours.") % {
            "commune": commune or _("non renseignée")}
    else:
        note = _("Aucun groupe ne couvre l'école « %(school)s » : dossier confié au groupe de secours.") % {
            "school": getattr(school, "name", "—")}
    fallback = stage.get("fallback")
    if fallback is None or fallback not in groups:
        return None, _("Aucun groupe ne couvre ce dossier et la démarche n'a pas de groupe de secours.")
    return fallback, note


def group_ids(stages: list[Stage]) -> set[int]:
    """Every reviewer group a list of stages may send a dossier to."""
    found: set[int] = set()
    for stage in stages:
        if stage["kind"] == StageKind.REVIEW:
            found.update(stage.get("groups") or [])
            if stage.get("fallback"):
                found.add(stage["fallback"])
    return found
