"""Decisions on dossiers, and the walk through a procedure's stages.

A dossier keeps its procedure's stages (``workflows.stages``) and the
position it is at. Each decision runs under the process lock, checks that
the dossier still waits for it and that the person may take it, records it
with its history line, moves the dossier to its next stage (skipping those
whose condition does not hold), completes the Viewflow task that was
waiting — the flow's one switch then reads where the dossier now is — and
queues the notifications, all in one transaction."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from accounts.constants import Role
from cms.constants import DirectorEmails
from cms.school_year import before_rentree
from forms.services import submission_reopen
from notifications.constants import Event
from notifications.services import notify

from . import stages as stage_rules
from .attestation import attestation_pdf
from .attestation import render as render_attestation
from .constants import FINAL_STATES, Decision, DossierAction, DossierState, GroupKind, StageKind
from .flows import DossierFlow
from .messages import answers_as_text, procedure_templates
from .selectors import may_decide
from .signals import dossier_closed
from .models import (
    Attestation,
    AttestationSettings,
    Dossier,
    DossierCount,
    DossierEvent,
    DossierOpinion,
    DossierProcess,
    DossierReviewer,
    ReviewerGroup,
)

logger = logging.getLogger(__name__)


class DossierError(Exception):
    """A dossier action that cannot be done; the message is for the user."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class DossierAlreadyDecided(DossierError):
    pass


# --- Notifications ---------------------------------------------------------------------------


def _family_link(dossier: Dossier) -> str:
    return settings.SITE_URL + reverse("dossiers:family_dossier", args=[dossier.submission.public_id])


def _staff_link(dossier: Dossier) -> str:
    return settings.SITE_URL + reverse("workflows_admin:detail", args=[dossier.pk])


def _context(dossier: Dossier, link: str, **extra) -> dict:
    child, submission = dossier.child, dossier.submission
    return {
        "family": dossier.family,
        "child": {
            "first_name": child.first_name,
            "last_name": child.last_name,
            "birth_date": child.birth_date,
            "level": child.get_level_display() if child.level else "",
        },
        "school": dossier.school,
        "dossier": {
            "reference": dossier.reference,
            "school_year": dossier.school_year,
            "status": dossier.get_state_display(),
            "submitted_at": dossier.submitted_at,
        },
        "procedure": {"name": submission.form_title, "school_year": dossier.school_year},
        "answers": answers_as_text(submission.definition, submission.answers),
        "stage": {"title": dossier.stage_title},
        "link": link,
        **extra,
    }


def _procedure_template(dossier: Dossier, event: Event) -> tuple[str, str] | None:
    """The procedure's own wording for ``event``; the page's messages are read
    once per dossier object (a submission tells the family, then the reviewers)."""
    templates = getattr(dossier, "_procedure_templates", None)
    if templates is None:
        templates = dossier._procedure_templates = procedure_templates(page_id=dossier.submission.page_id)
    return templates.get(event)


def _notify_family(dossier: Dossier, event: Event, key: str, *, attachments=(), **extra) -> None:
    template = _procedure_template(dossier, event)
    for guardian in dossier.family.guardians.filter(is_active=True):
        notify(
            event=event,
            recipient=guardian.email,
            key=f"dossier-{dossier.pk}:{key}",
            context=_context(dossier, _family_link(dossier), **extra),
            user=guardian,
            about=dossier,
            family=dossier.family,
            attachments=attachments,
            template=template,
        )


def _reviewers(dossier: Dossier):
    """The people who examine the dossier at its current review stage."""
    if dossier.review_group is None:
        return get_user_model().objects.none()
    return dossier.review_group.recipients(school=dossier.school)


def _notify_reviewers(dossier: Dossier, event: Event, key: str, *, people=None, **extra) -> None:
    template = _procedure_template(dossier, event)
    for staff in people if people is not None else _reviewers(dossier):
        notify(
            event=event,
            recipient=staff.email,
            key=f"dossier-{dossier.pk}:{key}",
            context=_context(dossier, _staff_link(dossier), **extra),
            user=staff,
            about=dossier,
            template=template,
        )


# --- History -----------------------------------------------------------------------------------


def _record(dossier: Dossier, action: DossierAction, *, by, comment: str = "", from_school: bool = False,
            document_name: str = "") -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        action=action,
        actor=by,
        comment=comment,
        state=dossier.state,
        from_school=from_school,
        document_name=document_name,
    )


def dossier_record_view(*, dossier: Dossier, by, document_name: str = "") -> DossierEvent:
    """Audit a staff read of the dossier or of one of its documents."""
    action = DossierAction.DOCUMENT_VIEWED if document_name else DossierAction.VIEWED
    return _record(dossier, action, by=by, from_school=True, document_name=document_name)


# --- The counter of the staff list -----------------------------------------------------------
# ``DossierCount`` holds, per school, procedure, directors' scope and state,
# how many dossiers there are. Every service that creates a dossier, moves
# it to another state, changes who examines it or deletes it reads the
# dossier's key before and after, and calls ``_count_move`` in the same
# transaction: the counts commit or roll back with the change.

CountKey = tuple  # (school_id, procedure_id, directors, state)


def _directors_review(dossier: Dossier) -> bool:
    """Whether the dossier's school's directors examine it at one of its
    stages (who may see it): remembered on the instance once known."""
    known = getattr(dossier, "_count_directors", None)
    if known is None:
        known = DossierReviewer.objects.filter(dossier=dossier, group__kind=GroupKind.SCHOOL_DIRECTORS).exists()
        dossier._count_directors = known
    return known


def _count_key(dossier: Dossier) -> CountKey:
    return (dossier.school_id, dossier.submission.page_id or 0, _directors_review(dossier), str(dossier.state))


def _count_add(key: CountKey, delta: int) -> None:
    school_id, procedure_id, directors, state = key
    row = DossierCount.objects.filter(school_id=school_id, procedure_id=procedure_id, directors=directors,
                                      state=state)
    if row.update(count=F("count") + delta):
        return
    try:
        # The first dossier of its key: a concurrent first one may insert
        # the row between the update and here, then the update applies.
        with transaction.atomic():
            DossierCount.objects.create(school_id=school_id, procedure_id=procedure_id, directors=directors,
                                        state=state, count=delta)
    except IntegrityError:
        row.update(count=F("count") + delta)


def _count_move(old: CountKey | None, new: CountKey | None) -> None:
    """One dossier leaves the ``old`` key (None: it is new) for ``new``
    (None: it is deleted). The two rows are always locked in the same
    order, so that two transitions crossing each other cannot deadlock."""
    if old == new:
        return
    moves = sorted(((key, delta) for key, delta in ((old, -1), (new, 1)) if key is not None),
                   key=lambda move: tuple(str(part) for part in move[0]))
    for key, delta in moves:
        _count_add(key, delta)


def dossier_counted(*, dossier: Dossier) -> None:
    """Count a dossier made outside the services (a bulk insert, a test's
    factory row) as the services count the ones they make."""
    _count_move(None, _count_key(dossier))


def dossiers_counted_in_bulk(*, school_id: int, procedure_id: int, directors: bool, state: str, n: int) -> None:
    """Count ``n`` dossiers bulk-inserted with one key (the benchmark's seed)."""
    _count_add((school_id, procedure_id or 0, directors, str(state)), n)


def dossier_delete(*, dossier: Dossier) -> None:
    """Delete a dossier (an administrator's clean-up) and its count."""
    with transaction.atomic():
        key = _count_key(dossier)
        DossierProcess.objects.filter(artifact_object_id=dossier.pk).delete()
        dossier.delete()
        _count_move(key, None)


def dossier_counts_recount() -> dict[CountKey, int]:
    """The counts as the dossiers give them now."""
    directors = DossierReviewer.objects.filter(dossier=OuterRef("pk"), group__kind=GroupKind.SCHOOL_DIRECTORS)
    rows = (Dossier.objects.order_by().annotate(directors=Exists(directors))
            .values("school_id", "submission__page_id", "directors", "state").annotate(n=Count("pk")))
    return {(r["school_id"], r["submission__page_id"] or 0, r["directors"], r["state"]): r["n"] for r in rows}


def dossier_counts_repair() -> list[tuple[CountKey, int, int]]:
    """Recompute the counter from the dossiers; returns what was wrong:
    ``(key, counted before, true count)`` for each row fixed."""
    fixed = []
    with transaction.atomic():
        truth = dossier_counts_recount()
        rows = {(r.school_id, r.procedure_id, r.directors, r.state): r
                for r in DossierCount.objects.select_for_update()}
        for key, row in rows.items():
            if truth.get(key, 0) != row.count:
                fixed.append((key, row.count, truth.get(key, 0)))
                if key in truth:
                    DossierCount.objects.filter(pk=row.pk).update(count=truth[key])
                else:
                    DossierCount.objects.filter(pk=row.pk).delete()
        missing = [key for key in truth if key not in rows]
        DossierCount.objects.bulk_create([
            DossierCount(school_id=key[0], procedure_id=key[1], directors=key[2], state=key[3], count=truth[key])
            for key in missing])
        fixed += [(key, 0, truth[key]) for key in missing]
    return sorted(fixed, key=lambda item: tuple(str(part) for part in item[0]))


# --- The process --------------------------------------------------------------------------------


def dossier_process(dossier: Dossier) -> DossierProcess:
    from django.contrib.contenttypes.models import ContentType

    return DossierProcess.objects.get(
        artifact_content_type=ContentType.objects.get_for_model(Dossier), artifact_object_id=dossier.pk
    )


def _complete_waiting_task(dossier: Dossier, node, *, by) -> None:
    """Complete the task ``node`` that the process is waiting on. Called
    under the process lock, after the decision was written on the dossier
    (the flow's switch reads it)."""
    process = dossier_process(dossier)
    task = process.task_set.filter(flow_task=node, status=STATUS.NEW).first()
    if task is None:
        raise DossierAlreadyDecided(_("Ce dossier a déjà été traité : rechargez la page pour voir son état."))
    task.owner = by
    task.save(update_fields=["owner"])
    node.run(task)


def _fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_related("family", "child", "school", "submission", "review_group").get(
        pk=dossier.pk)


def _decide(dossier: Dossier, *, by, node, allowed: set[str], apply, decision: str | None = None) -> Dossier:
    process = dossier_process(dossier)
    with DossierFlow.lock(process.pk):
        fresh = _fresh(dossier)
        if fresh.state not in allowed:
            raise DossierAlreadyDecided(
                _("Ce dossier a déjà été traité (état : %(state)s).") % {"state": fresh.get_state_display()}
            )
        if decision is not None:
            _check_reviewer(fresh, by=by, decision=decision)
        before = _count_key(fresh)
        apply(fresh)
        fresh.save()
        _count_move(before, _count_key(fresh))
        _complete_waiting_task(fresh, node, by=by)
        return fresh


def _check_reviewer(dossier: Dossier, *, by, decision: str) -> None:
    """Only the group of the stage the dossier is at decides, and only what
    the stage allows."""
    if not may_decide(user=by, dossier=dossier):
        raise DossierError(_("Ce dossier attend l'examen d'un autre groupe : vous ne pouvez pas le décider."))
    if decision not in dossier.decisions:
        raise DossierError(_("Cette étape ne prévoit pas cette décision."))


# --- Walking the stages ----------------------------------------------------------------------


def _groups_of(stages: list[dict]) -> dict[int, ReviewerGroup]:
    ids = stage_rules.group_ids(stages)
    if not ids:
        return {}
    return {g.pk: g for g in ReviewerGroup.with_school_ids(list(ReviewerGroup.objects.filter(pk__in=ids)))}


def _route_reviews(dossier: Dossier, *, new: bool = False) -> dict[int, ReviewerGroup]:
    """Resolve, for the dossier's school and answers, the group of every
    review stage, and keep who may see the dossier (``DossierReviewer``;
    a ``new`` dossier has none yet). Returns the groups read."""
    groups = _route_stages(dossier)
    _keep_reviewers(dossier, groups, new=new)
    return groups


def _route_stages(dossier: Dossier) -> dict[int, ReviewerGroup]:
    """Write on each review stage of the dossier (not saved) the group that
    examines it, for its school and answers. Returns the groups read."""
    stages, answers = dossier.stages, dossier.submission.answers
    groups = _groups_of(stages)
    for stage in stages:
        if stage["kind"] == StageKind.REVIEW:
            # A group deleted since the page was published is not kept.
            stage["groups"] = [g for g in stage.get("groups") or [] if g in groups]
            if stage.get("fallback") not in groups:
                stage["fallback"] = None
            stage["group"], stage["note"] = stage_rules.route(stage, school=dossier.school, answers=answers,
                                                              groups=groups)
    return groups


def _keep_reviewers(dossier: Dossier, groups: dict[int, ReviewerGroup], *, new: bool) -> None:
    """Keep who may see the saved dossier: the groups of its review stages."""
    stages = dossier.stages
    wanted = {s["group"] for s in stages if s["kind"] == StageKind.REVIEW and s.get("group")}
    have = set()
    if not new:
        DossierReviewer.objects.filter(dossier=dossier).exclude(group_id__in=wanted).delete()
        have = set(DossierReviewer.objects.filter(dossier=dossier).values_list("group_id", flat=True))
    DossierReviewer.objects.bulk_create([DossierReviewer(dossier=dossier, group_id=g) for g in wanted - have])
    if wanted <= groups.keys():
        dossier._count_directors = any(groups[g].kind == GroupKind.SCHOOL_DIRECTORS for g in wanted)
    else:
        dossier._count_directors = None  # read again when counted


def _enter(dossier: Dossier, index: int | None, *, now) -> None:
    """Put the dossier at stage ``index`` (None: past the last one, so
    confirmed), with the state that stage waits in. Not saved."""
    dossier.stage_started_at = now
    dossier.reminded_at = None
    # ``review_group`` keeps the last review's group once past it: its
    # members are told « déjà traité » when they come back to decide.
    if index is None:
        dossier.stage_index = len(dossier.stages)
        dossier.routing_note = ""
        dossier.state = DossierState.CONFIRMED
        dossier.confirmed_at = dossier.closed_at = now
        return
    stage = dossier.stages[index]
    dossier.stage_index = index
    if stage["kind"] == StageKind.REVIEW:
        dossier.state = DossierState.SUBMITTED
        dossier.review_group_id = stage.get("group")
        dossier.routing_note = stage.get("note", "")
    else:
        dossier.state = DossierState.AWAITING_PAYMENT
        dossier.routing_note = ""


def _next_index(dossier: Dossier) -> int | None:
    return stage_rules.next_stage(dossier.stages, dossier.submission.answers, after=dossier.stage_index)


def _after_entering(dossier: Dossier, *, by, event_key: str) -> None:
    """What follows the arrival at a stage: the reviewers are told there is
    a dossier for them (unless their school chose the morning summary),
    and a confirmed dossier gets its confirmation."""
    if dossier.state == DossierState.CONFIRMED:
        _confirmed(dossier, by=by)
        return
    if dossier.state == DossierState.SUBMITTED:
        group = dossier.review_group
        if group is not None and group.kind == GroupKind.SCHOOL_DIRECTORS \
                and dossier.school.director_emails == DirectorEmails.DAILY:
            return  # told in the morning summary (dossiers_send_digest)
        _notify_reviewers(dossier, Event.DOSSIER_SUBMITTED_DIRECTORS, f"{event_key}-stage-{dossier.stage_index}")


def _default_stages() -> list[dict]:
    """A dossier whose procedure page is gone is examined by its school's
    directors, who may validate, refuse or ask for corrections."""
    directors, _created = ReviewerGroup.objects.get_or_create(
        kind=GroupKind.SCHOOL_DIRECTORS, defaults={"name": _("Direction de l'école du dossier")})
    return [{"kind": StageKind.REVIEW.value, "title": _("Validation par l'école"), "condition": None,
             "groups": [directors.pk], "routing": "school", "routing_question": "", "fallback": None,
             "decisions": list(Decision.values), "delay_days": None}]


def dossier_open(*, submission) -> Dossier:
    """Create the dossier of a submission that was just submitted (or take
    back one that was sent back for corrections) and start its process at
    its first stage."""
    existing = Dossier.objects.filter(submission=submission).first()
    if existing is not None:
        return dossier_resubmit(dossier=existing, by=submission.submitted_by)

    page = submission.page.specific if submission.page_id else None
    now = timezone.now()
    stages = page.compiled_stages() if page is not None else _default_stages()
    dossier = Dossier(
        submission=submission,
        family=submission.family,
        child=submission.child,
        school=submission.school,
        submitted_at=submission.submitted_at or now,
        stages=stages,
        payment_required=stage_rules.stage_of_kind(stages, StageKind.PAYMENT) is not None,
        attestation_enabled=stage_rules.stage_of_kind(stages, StageKind.ATTESTATION) is not None,
    )
    groups = _route_stages(dossier)
    _enter(dossier, stage_rules.next_stage(stages, submission.answers, after=-1), now=now)
    if dossier.review_group_id in groups:
        dossier.review_group = groups[dossier.review_group_id]  # read above: not again by the notifications
    if dossier.state != DossierState.SUBMITTED:
        dossier.decided_at = now
    dossier.save()
    # The reference is made of the id: one column written once it is known.
    dossier.reference = f"{timezone.localtime(dossier.submitted_at):%Y}-{dossier.pk:05d}"
    Dossier.objects.filter(pk=dossier.pk).update(reference=dossier.reference)
    _keep_reviewers(dossier, groups, new=True)
    _count_move(None, _count_key(dossier))

    _record(dossier, DossierAction.SUBMITTED, by=submission.submitted_by)
    DossierFlow.start.run(dossier=dossier)

    _notify_family(dossier, Event.DOSSIER_SUBMITTED, "submitted")
    _after_entering(dossier, by=None, event_key="submitted")
    return dossier


# --- Confirmation, and its attestation -------------------------------------------------------------
# A confirmed dossier's family is told once. With an attestation, the task
# ``dossier_confirmation_send`` makes it after the confirmation commits and
# sends the confirmation with it attached; without, it goes at once. The
# sweep sends what a lost or failed task left unsent.


def _confirmed(dossier: Dossier, *, by) -> None:
    _record(dossier, DossierAction.CONFIRMED, by=by)
    if dossier.attestation_enabled:
        from .tasks import dossier_confirmation_send

        dossier_id = dossier.pk
        transaction.on_commit(lambda: dossier_confirmation_send(dossier_id))
    else:
        dossier_confirmation_notify(dossier=dossier)


def dossier_confirmation_notify(*, dossier: Dossier, attestation: Attestation | None = None) -> None:
    """Tell the family the enrolment is confirmed, with the attestation
    attached when there is one, and mark the dossier told. Once per dossier
    and guardian, however often it is called (the outbox's key)."""
    attachments = []
    if attestation is not None:
        with attestation.file.open("rb") as handle:
            attachments = [(f"attestation-{dossier.reference}.pdf", handle.read(), "application/pdf")]
    with transaction.atomic():
        _notify_family(dossier, Event.DOSSIER_CONFIRMED, "confirmed", attachments=attachments,
                       attestation=attestation is not None, before_rentree=before_rentree(dossier.school_year))
        Dossier.objects.filter(pk=dossier.pk, confirmation_notified_at__isnull=True).update(
            confirmation_notified_at=timezone.now()
        )


def attestation_make(*, dossier: Dossier) -> Attestation | None:
    """Make the attestation PDF of a confirmed dossier from the editors' text
    and keep it on private storage. Safe to run twice: a dossier has at most
    one attestation (unique row)."""
    from django.core.files.base import ContentFile
    from django.db import IntegrityError
    from django.utils import formats

    if dossier.state != DossierState.CONFIRMED or not dossier.attestation_enabled:
        return None
    existing = Attestation.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing
    portal = AttestationSettings.load()
    own = stage_rules.stage_of_kind(dossier.stages, StageKind.ATTESTATION) or {}
    title, body = own.get("title") or portal.title, own.get("body") or portal.body
    signature = own.get("signature") or portal.signature
    child = dossier.child
    values = {
        "enfant": f"{child.first_name} {child.last_name}",
        "date_naissance": formats.date_format(child.birth_date, "j F Y") if child.birth_date else "",
        "ecole": dossier.school.name,
        "commune": dossier.school.commune,
        "annee_scolaire": dossier.school_year,
        "reference": dossier.reference,
        "famille": dossier.family.name,
        "date": formats.date_format(timezone.localdate(), "j F Y"),
        "demarche": dossier.submission.form_title,
    }
    content = attestation_pdf(title=title, body=render_attestation(body, values), signature=signature,
                              school_name=dossier.school.name)
    made = Attestation(dossier=dossier)
    made.file.save("attestation.pdf", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            made.save()
    except IntegrityError:
        made.file.delete(save=False)  # another run made it first
        return Attestation.objects.get(dossier=dossier)
    return made


def dossier_confirmation_send(*, dossier_id: int) -> Attestation | None:
    """Make the attestation of a confirmed dossier (when its procedure has
    one), then send the confirmation with it. Safe to run twice."""
    dossier = Dossier.objects.select_related("child", "family", "school", "submission").filter(pk=dossier_id).first()
    if dossier is None or dossier.state != DossierState.CONFIRMED:
        return None
    made = attestation_make(dossier=dossier)
    dossier_confirmation_notify(dossier=dossier, attestation=made)
    return made


def dossier_confirmations_sweep(*, older_than: timedelta = timedelta(minutes=10),
                                within: timedelta = timedelta(days=7)) -> list[int]:
    """Confirmations still unsent ``older_than`` after the dossier was
    confirmed (the task was lost with its consumer, or failed every retry):
    send them now, with the attestation when it can be made, without it
    otherwise — the family always hears of it. Returns the dossiers swept."""
    now = timezone.now()
    waiting = Dossier.objects.filter(
        state=DossierState.CONFIRMED, attestation_enabled=True, confirmation_notified_at__isnull=True,
        confirmed_at__lte=now - older_than, confirmed_at__gte=now - within,
    ).select_related("family", "child", "school", "submission")
    swept = []
    for dossier in waiting:
        try:
            dossier_confirmation_send(dossier_id=dossier.pk)
        except Exception:  # noqa: BLE001 - the family is told without the attestation
            logger.exception("Attestation of dossier %s could not be made: confirmation sent without it", dossier.pk)
            dossier_confirmation_notify(dossier=dossier)
        swept.append(dossier.pk)
    return swept


def dossier_validate(*, dossier: Dossier, by, comment: str = "") -> Dossier:
    """The group of the current review stage validates it: the dossier
    moves to its next stage — another review, the payment — or, with none
    left, is confirmed."""
    done = {}

    def apply(d: Dossier) -> None:
        now = timezone.now()
        done["stage"] = d.current_stage["title"]
        _enter(d, _next_index(d), now=now)
        if d.state != DossierState.SUBMITTED:
            d.decided_at = now

    with transaction.atomic():
        dossier = _decide(dossier, by=by, node=DossierFlow.review, allowed={DossierState.SUBMITTED}, apply=apply,
                          decision=Decision.VALIDATE)
        _record(dossier, DossierAction.VALIDATED, by=by, comment=comment, from_school=True)
        _notify_family(dossier, Event.DOSSIER_VALIDATED, f"validated-{dossier.stage_index}", comment=comment,
                       stage={"title": done["stage"]}, next_stage={"title": dossier.stage_title})
        _after_entering(dossier, by=by, event_key="validated")
    return dossier


def dossier_refuse(*, dossier: Dossier, by, reason: str) -> Dossier:
    reason = (reason or "").strip()
    if not reason:
        raise DossierError(_("Indiquez le motif du refus : il sera communiqué à la famille."))

    def apply(d: Dossier) -> None:
        d.state = DossierState.REFUSED
        d.decided_at = d.closed_at = timezone.now()

    with transaction.atomic():
        dossier = _decide(dossier, by=by, node=DossierFlow.review, allowed={DossierState.SUBMITTED}, apply=apply,
                          decision=Decision.REFUSE)
        _record(dossier, DossierAction.REFUSED, by=by, comment=reason, from_school=True)
        _notify_family(dossier, Event.DOSSIER_REFUSED, "refused", comment=reason)
        dossier_closed.send(sender=Dossier, dossier=dossier, state=dossier.state)
    return dossier


def dossier_request_correction(*, dossier: Dossier, by, message: str) -> Dossier:
    message = (message or "").strip()
    if not message:
        raise DossierError(_("Précisez ce que la famille doit corriger ou compléter."))

    def apply(d: Dossier) -> None:
        d.state = DossierState.CORRECTION
        d.answers_at_request = dict(d.submission.answers)

    with transaction.atomic():
        dossier = _decide(dossier, by=by, node=DossierFlow.review, allowed={DossierState.SUBMITTED}, apply=apply,
                          decision=Decision.CORRECT)
        submission_reopen(submission=dossier.submission)
        event = _record(dossier, DossierAction.CORRECTION_REQUESTED, by=by, comment=message, from_school=True)
        _notify_family(
            dossier, Event.CORRECTION_REQUESTED, f"correction-{event.pk}", comment=message, due_date=None
        )
    return dossier


def dossier_resubmit(*, dossier: Dossier, by) -> Dossier:
    """The family corrected its dossier and submitted it again: back to the
    review that asked, routed again on the new answers."""

    def apply(d: Dossier) -> None:
        d.submitted_at = timezone.now()
        _route_reviews(d)
        _enter(d, d.stage_index, now=d.submitted_at)

    with transaction.atomic():
        dossier = _decide(dossier, by=by, node=DossierFlow.correct, allowed={DossierState.CORRECTION}, apply=apply)
        event = _record(dossier, DossierAction.RESUBMITTED, by=by)
        _notify_reviewers(dossier, Event.DOSSIER_RESUBMITTED, f"resubmitted-{event.pk}")
    return dossier


def dossier_withdraw(*, dossier: Dossier, by, reason: str = "") -> Dossier:
    """The family withdraws its dossier before it is confirmed."""
    if by.family_id != dossier.family_id:
        raise DossierError(_("Ce dossier n'appartient pas à votre famille."))
    process = dossier_process(dossier)
    with transaction.atomic(), DossierFlow.lock(process.pk):
        fresh = _fresh(dossier)
        if fresh.state in FINAL_STATES:
            raise DossierAlreadyDecided(
                _("Ce dossier ne peut plus être retiré (état : %(state)s).") % {"state": fresh.get_state_display()}
            )
        before = _count_key(fresh)
        fresh.state = DossierState.WITHDRAWN
        fresh.closed_at = timezone.now()
        fresh.save()
        _count_move(before, _count_key(fresh))
        DossierFlow.instance.cancel(DossierProcess.objects.get(pk=process.pk))
        _record(fresh, DossierAction.WITHDRAWN, by=by, comment=reason.strip())
        _notify_family(fresh, Event.DOSSIER_WITHDRAWN, "withdrawn", comment=reason.strip())
        _notify_reviewers(fresh, Event.DOSSIER_WITHDRAWN_DIRECTORS, "withdrawn", comment=reason.strip())
        dossier_closed.send(sender=Dossier, dossier=fresh, state=fresh.state)
    return fresh


def dossier_payment_settled(*, dossier: Dossier, by) -> Dossier:
    """The payment stage's condition is met: the dossier moves on (to the
    stages after it, or confirmed). Normally the process waits on its
    payment task; after a rejected debit the process has already ended,
    and the dossier is confirmed again under the same lock."""
    process = dossier_process(dossier)
    if process.task_set.filter(flow_task=DossierFlow.await_payment, status=STATUS.NEW).exists():

        def apply(d: Dossier) -> None:
            _enter(d, _next_index(d), now=timezone.now())

        with transaction.atomic():
            dossier = _decide(
                dossier, by=by, node=DossierFlow.await_payment, allowed={DossierState.AWAITING_PAYMENT}, apply=apply
            )
            _record(dossier, DossierAction.PAYMENT_SETTLED, by=by, from_school=True)
            _after_entering(dossier, by=by, event_key="paid")
        return dossier
    with transaction.atomic(), DossierFlow.lock(process.pk):
        fresh = _fresh(dossier)
        if fresh.state != DossierState.AWAITING_PAYMENT:
            raise DossierAlreadyDecided(_("Ce dossier est déjà réglé."))
        before = _count_key(fresh)
        fresh.state = DossierState.CONFIRMED
        fresh.stage_index = len(fresh.stages)
        fresh.confirmed_at = fresh.closed_at = timezone.now()
        fresh.save()
        _count_move(before, _count_key(fresh))
        _record(fresh, DossierAction.PAYMENT_SETTLED, by=by, from_school=True)
        _confirmed(fresh, by=by)
        return fresh


def dossier_payment_rejected(*, dossier: Dossier, by, comment: str) -> Dossier:
    """The payment that confirmed a dossier failed (a rejected debit): it
    waits for payment again. The process has ended; the dossier carries on."""
    process = dossier_process(dossier)
    with transaction.atomic(), DossierFlow.lock(process.pk):
        fresh = _fresh(dossier)
        if fresh.state == DossierState.CONFIRMED:
            payment = next((i for i, s in enumerate(fresh.stages) if s["kind"] == StageKind.PAYMENT), None)
            before = _count_key(fresh)
            fresh.state = DossierState.AWAITING_PAYMENT
            fresh.stage_index = payment if payment is not None else fresh.stage_index
            fresh.confirmed_at = fresh.closed_at = None
            fresh.save()
            _count_move(before, _count_key(fresh))
        _record(fresh, DossierAction.PAYMENT_REJECTED, by=by, comment=comment, from_school=True)
        return fresh


def dossier_notify_family(*, dossier: Dossier, event: Event, key: str, **extra) -> None:
    """Send ``event`` about the dossier to each of its family's guardians."""
    _notify_family(dossier, event, key, **extra)


def _message_readers(dossier: Dossier):
    """Who on the school's side is told of a family's message: the reviewer
    who took the dossier in charge, else the group it waits for (or was at
    last), else its school's directors."""
    if dossier.assignee_id and dossier.assignee.is_active:
        return [dossier.assignee]
    people = list(_reviewers(dossier))
    return people or list(dossier.school.directors.filter(is_active=True))


def dossier_message_post(*, dossier: Dossier, by, body: str) -> DossierEvent:
    """A message on the dossier, from its family or from the school: in the
    history both sides read, e-mailed to the other side, and marked
    « nouveau message » in the other side's list until it opens the dossier."""
    body = (body or "").strip()
    if not body:
        raise DossierError(_("Écrivez votre message."))
    if len(body) > 5000:
        raise DossierError(_("Votre message est trop long (5 000 caractères au plus)."))
    from_school = by.family_id != dossier.family_id
    if from_school and not dossier.family.guardians.filter(is_active=True).exists():
        raise DossierError(_("Cette famille a supprimé son compte : elle ne peut plus lire de message."))
    now = timezone.now()
    with transaction.atomic():
        event = _record(dossier, DossierAction.MESSAGE, by=by, comment=body, from_school=from_school)
        unread = "unread_school_message_at" if from_school else "unread_family_message_at"
        # The oldest unread message is kept: « nouveau message depuis le … ».
        Dossier.objects.filter(pk=dossier.pk, **{f"{unread}__isnull": True}).update(**{unread: now})
        if from_school:
            _notify_family(dossier, Event.SCHOOL_MESSAGE, f"message-{event.pk}", message=body)
        else:
            _notify_reviewers(dossier, Event.FAMILY_MESSAGE, f"message-{event.pk}",
                              people=_message_readers(dossier), message=body)
    return event


def dossier_messages_read(*, dossier: Dossier, by_school: bool) -> None:
    """The dossier was opened by one side: the other side's messages are read."""
    unread = "unread_family_message_at" if by_school else "unread_school_message_at"
    if getattr(dossier, unread) is not None:
        Dossier.objects.filter(pk=dossier.pk).update(**{unread: None})
        setattr(dossier, unread, None)


def dossiers_validate_many(*, dossiers, by) -> tuple[list[Dossier], list[tuple[Dossier, str]]]:
    """Validate several dossiers; each one on its own, so one that was
    already decided does not stop the others."""
    done, failed = [], []
    for dossier in dossiers:
        try:
            done.append(dossier_validate(dossier=dossier, by=by))
        except DossierError as error:
            failed.append((dossier, error.message))
    return done, failed


def dossiers_remind_waiting(*, now=None) -> int:
    """Flag to its group the dossiers that wait at a review stage longer
    than the stage's time limit (the school's « délai de validation » when
    the stage sets none); once per limit period, however often it runs."""
    now = now or timezone.now()
    due = (
        Dossier.objects.filter(state=DossierState.SUBMITTED, reviewer_groups__isnull=False)
        .distinct()
        .select_related("family", "child", "school", "submission", "review_group")
    )
    count = 0
    for dossier in due.iterator():
        stage = dossier.current_stage
        if stage is None or stage["kind"] != StageKind.REVIEW:
            continue
        days = stage.get("delay_days") or dossier.school.validation_delay_days
        started = dossier.stage_started_at or dossier.submitted_at
        threshold = now - timedelta(days=days)
        if started > threshold or (dossier.reminded_at is not None and dossier.reminded_at > threshold):
            continue
        with transaction.atomic():
            claimed = Dossier.objects.filter(pk=dossier.pk, reminded_at=dossier.reminded_at).update(reminded_at=now)
            if not claimed:
                continue  # another run took it
            waited = (now - started).days
            _record(dossier, DossierAction.REMINDER, by=None, from_school=True,
                    comment=_("En attente depuis %(days)d jours.") % {"days": waited})
            _notify_reviewers(dossier, Event.DOSSIER_WAITING, f"waiting-{now:%Y-%m-%d}", days_waiting=waited)
            count += 1
    return count


def dossiers_send_digest(*, day=None) -> int:
    """The morning summary for the directors of schools that chose it: the
    dossiers submitted at their school on ``day`` (yesterday, Martinique
    time) that wait for them. One message per school, director and day,
    however often it runs. Returns the messages written."""
    import datetime as dt

    from cms.models import School

    day = day or timezone.localdate() - dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    written = 0
    schools = School.objects.filter(director_emails=DirectorEmails.DAILY)
    for school in schools.prefetch_related("directors"):
        dossiers = list(
            Dossier.objects.filter(school=school, state=DossierState.SUBMITTED,
                                   review_group__kind=GroupKind.SCHOOL_DIRECTORS,
                                   submitted_at__gte=start, submitted_at__lt=end)
            .select_related("child", "family").order_by("submitted_at", "pk")
        )
        if not dossiers:
            continue
        lines = [
            {"reference": d.reference, "child": d.child, "family": d.family, "submitted_at": d.submitted_at,
             "link": _staff_link(d)}
            for d in dossiers
        ]
        with transaction.atomic():
            for director in school.directors.all():
                if not director.is_active:
                    continue
                notify(
                    event=Event.DOSSIERS_DIGEST, recipient=director.email, key=f"digest-{school.pk}-{day:%Y-%m-%d}",
                    context={"school": school, "day": day, "count": len(lines), "dossiers": lines,
                             "link": settings.SITE_URL + reverse("workflows_admin:index")},
                    user=director,
                )
                written += 1
    return written


# --- The reviewer's tools: taking charge, private notes, opinions --------------------------------


def dossier_take_charge(*, dossier: Dossier, by) -> Dossier:
    """« Prendre en charge »: a member of the group the dossier waits for
    follows it; another member may take it over."""
    from .selectors import in_charge

    if not in_charge(user=by, dossier=dossier) or dossier.state in FINAL_STATES:
        raise DossierError(_("Seuls les membres du groupe qui examine ce dossier peuvent le prendre en charge."))
    with transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk).update(assignee=by)
        dossier.assignee = by
        _record(dossier, DossierAction.TAKEN, by=by, from_school=True)
    return dossier


def dossier_release(*, dossier: Dossier, by) -> Dossier:
    if dossier.assignee_id != by.pk:
        raise DossierError(_("Ce dossier n'est pas pris en charge par vous."))
    with transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk, assignee=by).update(assignee=None)
        dossier.assignee = None
        _record(dossier, DossierAction.RELEASED, by=by, from_school=True)
    return dossier


def _staff_text(body: str, what: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DossierError(_("Écrivez %(what)s.") % {"what": what})
    if len(body) > 5000:
        raise DossierError(_("Le texte est trop long (5 000 caractères au plus)."))
    return body


def dossier_note_add(*, dossier: Dossier, by, body: str) -> DossierEvent:
    """A private annotation: staff only (``STAFF_ONLY``), in the audit."""
    return _record(dossier, DossierAction.NOTE, by=by, comment=_staff_text(body, _("l'annotation")),
                   from_school=True)


def dossier_opinion_ask(*, dossier: Dossier, by, question: str, group=None, person=None) -> DossierOpinion:
    """Ask a group or a person who covers the dossier's school for an
    opinion; they see the dossier and answer in it, without deciding."""
    from .selectors import in_charge, opinion_targets

    question = _staff_text(question, _("la question"))
    if not in_charge(user=by, dossier=dossier):
        raise DossierError(_("Seul le groupe qui examine ce dossier peut demander un avis."))
    if (group is None) == (person is None):
        raise DossierError(_("Choisissez un groupe ou une personne."))
    groups, people = opinion_targets(dossier=dossier)
    if group is not None and group.pk not in {g.pk for g in groups}:
        raise DossierError(_("Ce groupe ne couvre pas l'école du dossier : il ne peut pas donner son avis."))
    if person is not None and person.pk not in {p.pk for p in people}:
        raise DossierError(_("Cette personne ne couvre pas l'école du dossier : elle ne peut pas donner son avis."))
    with transaction.atomic():
        opinion = DossierOpinion.objects.create(dossier=dossier, asked_by=by, group=group, person=person,
                                                question=question)
        if group is not None:
            before = _count_key(dossier)
            _reviewer, added = DossierReviewer.objects.get_or_create(dossier=dossier, group=group)
            if added and group.kind == GroupKind.SCHOOL_DIRECTORS:
                # The directors now see it: it enters their count.
                dossier._count_directors = True
                _count_move(before, _count_key(dossier))
        _record(dossier, DossierAction.OPINION_ASKED, by=by, from_school=True,
                comment=f"{group or person} : {question}")
        people_asked = [person] if person is not None else list(group.recipients(school=dossier.school))
        _notify_reviewers(dossier, Event.OPINION_ASKED, f"opinion-{opinion.pk}", people=people_asked,
                          asker=by, question=question)
    return opinion


def dossier_opinion_give(*, opinion: DossierOpinion, by, answer: str) -> DossierOpinion:
    from .selectors import may_answer

    answer = _staff_text(answer, _("votre avis"))
    with transaction.atomic():
        locked = DossierOpinion.objects.select_for_update(of=("self",)).select_related("dossier__school", "group").get(
            pk=opinion.pk)
        if not may_answer(user=by, opinion=locked):
            raise DossierError(_("Cet avis est déjà rendu, ou ne vous est pas demandé."))
        locked.answer, locked.answered_by, locked.answered_at = answer, by, timezone.now()
        locked.save(update_fields=["answer", "answered_by", "answered_at"])
        _record(locked.dossier, DossierAction.OPINION_GIVEN, by=by, comment=answer, from_school=True)
    return locked


# --- Reviewer groups ------------------------------------------------------------------------------


def reviewer_access_sync() -> int:
    """The members of the editors' reviewer groups, and only they, hold the
    « Instructeurs » role: the workspace in the admin, with two-factor
    sign-in like all staff. Returns how many people changed."""
    from django.contrib.auth.models import Group

    role, _created = Group.objects.get_or_create(name=Role.REVIEWER.value)
    members = set(get_user_model().objects.filter(reviewer_groups__kind=GroupKind.MEMBERS)
                  .values_list("pk", flat=True))
    current = set(role.user_set.values_list("pk", flat=True))
    role.user_set.add(*(members - current))
    role.user_set.remove(*(current - members))
    return len(members ^ current)


# --- Exports -------------------------------------------------------------------------------------


def dossier_export_request(*, by, filters: dict, format: str):
    """Record an export (it is its own audit line) and build it in the
    consumer once this transaction commits."""
    from .models import DossierExport
    from .tasks import dossier_export_build

    export = DossierExport.objects.create(requested_by=by, filters=filters, format=format)
    transaction.on_commit(lambda: dossier_export_build(export.pk))
    return export


def dossier_export_build(*, export_id: int) -> None:
    """Build the file of an export. Safe to run twice: a finished export is
    left alone, a half-built one is built again from the start."""
    from django.core.files.base import ContentFile

    from .constants import ExportFormat, ExportStatus
    from .exports import build_table, to_csv, to_xlsx
    from .filters import filtered_dossiers
    from .models import DossierExport
    from .selectors import dossiers_for_staff, schools_for_staff

    export = DossierExport.objects.select_related("requested_by").get(pk=export_id)
    if export.status == ExportStatus.READY:
        return
    # Always the requester's own scope, as it is now: a director who lost a
    # school since asking does not export it.
    _filterset, dossiers = filtered_dossiers(dossiers=dossiers_for_staff(user=export.requested_by),
                                             params=export.filters, schools=schools_for_staff(user=export.requested_by))
    DossierExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, total=dossiers.count(), done=0, error=""
    )

    def progress(done: int) -> None:
        DossierExport.objects.filter(pk=export.pk).update(done=done)

    try:
        headers, rows, exported = build_table(dossiers, progress=progress)
        content = to_xlsx(headers, rows) if export.format == ExportFormat.XLSX else to_csv(headers, rows)
        stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
        export.file.save(f"dossiers-{stamp}-{export.pk}.{export.format}", ContentFile(content), save=False)
    except Exception as error:
        DossierExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED, error=str(error)[:2000])
        raise
    # The export is in each child's audit (« qui a consulté ») in the same
    # transaction that makes it ready: a run killed before this point starts
    # again from the beginning and writes these lines once.
    with transaction.atomic():
        DossierEvent.objects.bulk_create(
            [DossierEvent(dossier=dossier, action=DossierAction.EXPORTED, actor=export.requested_by,
                          state=dossier.state, comment=export.get_format_display()) for dossier in exported],
            batch_size=1000,
        )
        DossierExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.READY, file=export.file.name, done=len(rows), finished_at=timezone.now()
        )
