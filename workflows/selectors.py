"""Reads of dossiers, always scoped to who asks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts.constants import Role
from forms.models import Document

from .constants import DECISION_ACTIONS, FINAL_STATES, STAFF_ONLY, STAFF_READS, DossierAction, DossierState, GroupKind, InboxTab
from .models import Attestation, Dossier, DossierEvent, DossierOpinion, DossierReviewer, ProcedurePage, ReviewerGroup
from .models.reviewers import normalise_commune


WORKSPACE_ROLES = (Role.DIRECTOR, Role.FINANCE, Role.REVIEWER)


def is_workspace_user(user) -> bool:
    """Directors, finance agents, the members of reviewer groups (and
    administrators) have a workspace."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return any(user.has_role(role) for role in WORKSPACE_ROLES)


def _reviewed_by(**group) -> QuerySet:
    return DossierReviewer.objects.filter(**{f"group__{k}": v for k, v in group.items()}).values("dossier_id")


def dossiers_for_staff(*, user) -> QuerySet[Dossier]:
    """The dossiers a member of staff may see: those with a stage examined
    by one of his or her groups, within the group's scope — the directors
    of the dossier's school (for the schools they direct), the finance
    agents (who also see every dossier with a payment), a group editors
    defined; administrators all. Another group's stage of such a dossier is
    seen read-only (``may_decide`` says who decides)."""
    if not (user.is_authenticated and user.is_active):
        return Dossier.objects.none()
    base = Dossier.objects.select_related("child", "family", "school", "submission", "review_group")
    if user.is_superuser:
        return base
    groups = user.role_names
    scope = Q(pk__in=[])
    if Role.DIRECTOR.value in groups:
        scope |= Q(school__in=user.directed_schools.values("pk"),
                   pk__in=_reviewed_by(kind=GroupKind.SCHOOL_DIRECTORS))
    if Role.FINANCE.value in groups:
        scope |= Q(payment_required=True) | Q(pk__in=_reviewed_by(kind=GroupKind.FINANCE))
    if Role.REVIEWER.value in groups:
        scope |= Q(pk__in=_reviewed_by(members=user))
    if groups & {Role.REVIEWER.value, Role.DIRECTOR.value, Role.FINANCE.value}:
        scope |= Q(pk__in=DossierOpinion.objects.filter(person=user).values("dossier_id"))
    return base.filter(scope)


# --- The reviewer's tools -----------------------------------------------------------------------


def _open_opinions_for(user) -> QuerySet:
    """Opinions asked of ``user`` or of one of his or her groups, not yet given."""
    mine = Q(person=user) | Q(group__members=user, group__kind=GroupKind.MEMBERS)
    if Role.DIRECTOR.value in user.role_names:
        mine |= Q(group__kind=GroupKind.SCHOOL_DIRECTORS, dossier__school__in=user.directed_schools.values("pk"))
    if Role.FINANCE.value in user.role_names:
        mine |= Q(group__kind=GroupKind.FINANCE)
    return DossierOpinion.objects.filter(mine, answered_at__isnull=True)


def inbox(*, user, tab: str) -> QuerySet[Dossier]:
    """The dossiers of one tab of the reviewer's inbox: « à traiter » (a
    decision of one's groups, or an opinion asked of one), « suivis par
    moi » (taken in charge, still open), « traités » (one decided or gave an
    opinion), « tous »."""
    scope = dossiers_for_staff(user=user)
    if tab == InboxTab.TO_DO:
        return scope.filter(Q(pk__in=dossiers_awaiting(user=user).values("pk"))
                            | Q(pk__in=_open_opinions_for(user).values("dossier_id")))
    if tab == InboxTab.MINE:
        return scope.filter(assignee=user).exclude(state__in=FINAL_STATES)
    if tab == InboxTab.DONE:
        return scope.filter(pk__in=DossierEvent.objects.filter(actor=user, action__in=DECISION_ACTIONS)
                            .values("dossier_id"))
    return scope


def opinion_targets(*, dossier: Dossier) -> tuple[list[ReviewerGroup], list]:
    """Who may be asked an opinion on ``dossier``: the groups that cover its
    school (but the one deciding now), and their members and the school's
    directors — nobody outside the dossier's scope."""
    from django.contrib.auth import get_user_model

    groups = [g for g in ReviewerGroup.objects.prefetch_related("schools").exclude(pk=dossier.review_group_id)
              if g.covers(school=dossier.school)]
    member_groups = [g for g in groups if g.kind == GroupKind.MEMBERS]
    people = get_user_model().objects.filter(
        Q(reviewer_groups__in=member_groups) | Q(directed_schools=dossier.school), is_active=True
    ).distinct().order_by("last_name", "first_name")
    return groups, list(people)


def may_answer(*, user, opinion: DossierOpinion) -> bool:
    if opinion.answered_at is not None or not (user.is_authenticated and user.is_active):
        return False
    if opinion.person_id is not None:
        return opinion.person_id == user.pk
    return opinion.group.has_member(user, school=opinion.dossier.school)


def opinions_of(*, dossier: Dossier) -> QuerySet[DossierOpinion]:
    return dossier.opinions.select_related("asked_by", "group", "person", "answered_by")


def notes_of(*, dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.filter(action=DossierAction.NOTE).select_related("actor").order_by("-created_at", "-pk")


def in_charge(*, user, dossier: Dossier) -> bool:
    """Whether ``user`` belongs to the group the dossier's current (or
    last) review stage went to — administrators too. Others who see the
    dossier see it read-only."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    group = dossier.review_group
    return group is not None and group.has_member(user, school=dossier.school)


def may_decide(*, user, dossier: Dossier) -> bool:
    """Whether ``user`` takes the decision the dossier waits for now."""
    return (dossier.state == DossierState.SUBMITTED and dossier.current_stage is not None
            and in_charge(user=user, dossier=dossier))


def dossiers_awaiting(*, user) -> QuerySet[Dossier]:
    """The dossiers waiting for a decision of one of ``user``'s groups."""
    scope = dossiers_for_staff(user=user).filter(state=DossierState.SUBMITTED)
    if user.is_superuser:
        return scope
    groups = user.role_names
    mine = Q(pk__in=[])
    if Role.DIRECTOR.value in groups:
        mine |= Q(review_group__kind=GroupKind.SCHOOL_DIRECTORS, school__in=user.directed_schools.values("pk"))
    if Role.FINANCE.value in groups:
        mine |= Q(review_group__kind=GroupKind.FINANCE)
    if Role.REVIEWER.value in groups:
        mine |= Q(review_group__in=user.reviewer_groups.values("pk"))
    return scope.filter(mine)


def schools_for_staff(*, user) -> QuerySet:
    """The schools whose dossiers ``user`` may see (the workspace's school
    filter): directors their own, members of a group its schools and
    communes; finance agents and administrators all."""
    from cms.models import School

    if not (user.is_authenticated and user.is_active):
        return School.objects.none()
    if user.is_superuser or Role.FINANCE.value in user.role_names:
        return School.objects.all()
    scope = Q(pk__in=[])
    if Role.DIRECTOR.value in user.role_names:
        scope |= Q(pk__in=user.directed_schools.values("pk"))
    if Role.REVIEWER.value in user.role_names:
        for group in user.reviewer_groups.prefetch_related("schools"):
            schools, communes = [s.pk for s in group.schools.all()], group.commune_names
            if not schools and not communes:
                return School.objects.all()
            scope |= Q(pk__in=schools)
            scope |= Q(pk__in=[s.pk for s in School.objects.only("pk", "commune")
                               if normalise_commune(s.commune) in communes])
    return School.objects.filter(scope)


@dataclass(frozen=True)
class DossierCounts:
    """How many dossiers a member of staff sees, per school, procedure and
    state (``rows``: ``(school_id, procedure_id, state, n)``)."""

    rows: tuple

    def of(self, *, state: str | None = None, school_id: int | None = None, procedure_id: int | None = None) -> int:
        return sum(n for school, procedure, row_state, n in self.rows
                   if (state is None or row_state == state) and (school_id is None or school == school_id)
                   and (procedure_id is None or procedure == procedure_id))

    @property
    def total(self) -> int:
        return self.of()

    @property
    def waiting(self) -> int:
        return self.of(state=DossierState.SUBMITTED)

    @property
    def by_state(self) -> list[tuple[str, str, int]]:
        """``(state, label, n)`` for each state, in the order of the states."""
        return [(value, label, self.of(state=value)) for value, label in DossierState.choices]


def _counted(rows, school="school_id", procedure="procedure_id") -> list[tuple]:
    return [(r[school], r[procedure] or 0, r["state"], r["n"]) for r in rows if r["n"]]


def dossier_counts(*, user) -> DossierCounts:
    """The counts of the dossiers ``user`` sees (``dossiers_for_staff``).
    For administrators and for directors they are read from the counter the
    services keep (``DossierCount``, a few rows per school: the same cost
    at 100 dossiers as at 100,000), the directors' restricted to the
    schools they direct and to the dossiers their schools' directors
    examine, plus the few dossiers whose opinion was asked of them in
    person. Other scopes (finance, reviewer groups, several roles) are
    counted from the dossiers, in one query."""
    from .models import DossierCount

    if not (user.is_authenticated and user.is_active):
        return DossierCounts(rows=())
    counter = DossierCount.objects.order_by().values("school_id", "procedure_id", "state")
    if user.is_superuser:
        return DossierCounts(rows=tuple(_counted(counter.annotate(n=Sum("count")))))
    roles = user.role_names
    if roles & {Role.DIRECTOR.value, Role.FINANCE.value, Role.REVIEWER.value} == {Role.DIRECTOR.value}:
        directed = user.directed_schools.values("pk")
        rows = counter.filter(school__in=directed, directors=True).annotate(n=Sum("count"))
        # dossiers_for_staff's other door for a director: an opinion asked of
        # him or her in person, on a dossier the counter does not give — read
        # from those few opinions, not from the dossiers.
        asked = (DossierOpinion.objects.order_by().filter(person=user)
                 .exclude(dossier__school__in=directed,
                          dossier_id__in=_reviewed_by(kind=GroupKind.SCHOOL_DIRECTORS))
                 .values(school_id=F("dossier__school_id"), procedure_id=F("dossier__submission__page_id"),
                         state=F("dossier__state"))
                 .annotate(n=Count("dossier_id", distinct=True)))
        # One query for both: the list's cost does not grow by one.
        return DossierCounts(rows=tuple(_counted(rows.union(asked, all=True))))
    rows = (dossiers_for_staff(user=user).order_by().values("school_id", "submission__page_id", "state")
            .annotate(n=Count("pk")))
    return DossierCounts(rows=tuple(_counted(rows, procedure="submission__page_id")))


def can_see_statistics(*, user) -> bool:
    """Directors and finance agents for their dossiers; editors, who shape
    the procedures, for all of them (counts only, no names)."""
    return is_workspace_user(user) or (
        user.is_authenticated and user.is_active and user.has_role(Role.EDITOR)
    )


def _statistics_of_every_school(user) -> bool:
    """Editors count every school's dossiers; staff with a workspace their own."""
    return not is_workspace_user(user) and can_see_statistics(user=user)


def dossiers_for_statistics(*, user) -> QuerySet[Dossier]:
    return Dossier.objects.all() if _statistics_of_every_school(user) else dossiers_for_staff(user=user)


def schools_for_statistics(*, user) -> QuerySet:
    from cms.models import School

    return School.objects.all() if _statistics_of_every_school(user) else schools_for_staff(user=user)


def dossier_for_staff(*, user, pk: int) -> Dossier | None:
    return dossiers_for_staff(user=user).filter(pk=pk).first()


def document_for(*, user, public_id) -> tuple[Document, Dossier | None] | None:
    """A document of a dossier, for the one rule of who may read it: the
    family that filed it (a draft's documents too), or staff who may see
    its dossier — then the dossier comes with it, for the audit. Anyone
    else gets None (a 404: nobody learns that the document exists)."""
    if not (user.is_authenticated and user.is_active):
        return None
    documents = Document.objects.select_related("submission")
    if user.family_id:
        own = documents.filter(public_id=public_id, submission__family_id=user.family_id).first()
        if own is not None:
            return own, None
    if not is_workspace_user(user):
        return None
    dossier = dossiers_for_staff(user=user).filter(submission__documents__public_id=public_id).first()
    if dossier is None:
        return None
    return documents.get(public_id=public_id), dossier


def attestation_for_family(*, user, dossier: Dossier) -> Attestation | None:
    if not user.is_authenticated or user.family_id != dossier.family_id:
        return None
    return Attestation.objects.filter(dossier=dossier).first()


def open_procedures() -> list[ProcedurePage]:
    """The procedures a family can start a dossier on now."""
    return [page for page in ProcedurePage.objects.live().public().order_by("path") if page.is_open()]


def dossiers_by_submission(*, family, submission_ids) -> dict[int, Dossier]:
    """The family's dossiers of these submissions, by submission id: a filed
    form's page shows where its dossier is (« Confirmé »), not « Déposé »."""
    dossiers = Dossier.objects.filter(family=family, submission_id__in=list(submission_ids))
    return {d.submission_id: d for d in dossiers}


def dossier_for_family(*, user, submission) -> Dossier | None:
    if not user.is_authenticated or not user.family_id or submission.family_id != user.family_id:
        return None
    return Dossier.objects.filter(submission=submission).select_related("school", "child").first()


def waiting_count(*, user) -> int:
    """How many dossiers wait for a decision of ``user``'s groups (the dashboard)."""
    return dossiers_awaiting(user=user).count()


@dataclass(frozen=True)
class DashboardCounts:
    """What waits for a reviewer, as the admin's dashboard shows it."""

    decisions: int  # dossiers waiting for a decision of one's groups
    opinions: int  # opinions asked of one (or one's group), not yet given
    mine: int  # dossiers one took in charge, still open
    corrections: int  # dossiers sent back to their family, in one's scope


def dashboard_counts(*, user) -> DashboardCounts:
    scope = dossiers_for_staff(user=user)
    return DashboardCounts(
        decisions=dossiers_awaiting(user=user).count(),
        opinions=scope.filter(pk__in=_open_opinions_for(user).values("dossier_id")).count(),
        mine=inbox(user=user, tab=InboxTab.MINE).count(),
        corrections=scope.filter(state=DossierState.CORRECTION).count(),
    )


def history(*, dossier: Dossier, include_reads: bool) -> QuerySet[DossierEvent]:
    events = dossier.events.select_related("actor")
    if not include_reads:
        events = events.exclude(action__in=STAFF_ONLY)
    return events


@dataclass
class HistoryLine:
    """One line of the dossier page's history: an event, or a run of the
    same staff read by the same person (``count`` of them, the last at
    ``last_at``) — ten « consulté » never bury the real steps. The audit
    page keeps every read."""

    event: DossierEvent
    count: int
    last_at: object


def history_lines(*, events) -> list[HistoryLine]:
    lines: list[HistoryLine] = []
    for event in events:
        previous = lines[-1] if lines else None
        if (previous is not None and event.action in STAFF_READS and previous.event.action == event.action
                and previous.event.actor_id == event.actor_id
                and previous.event.document_name == event.document_name):
            previous.count += 1
            previous.last_at = event.created_at
            continue
        lines.append(HistoryLine(event, 1, event.created_at))
    return lines


@dataclass(frozen=True)
class StageStep:
    title: str
    status: str  # « done », « current » or « next »
    label: str


def stage_progress(*, dossier: Dossier) -> list[StageStep]:
    """The stages the dossier goes through, as the family follows them:
    those behind it, the one it is at, those to come (a stage whose
    condition does not hold for its answers is not listed)."""
    from .stages import WAITING_KINDS, applies

    steps = []
    answers = dossier.submission.answers
    closed = dossier.state in (DossierState.REFUSED, DossierState.WITHDRAWN)
    for index, stage in enumerate(dossier.stages):
        if stage["kind"] not in WAITING_KINDS or not applies(stage, answers):
            continue
        if index < dossier.stage_index or dossier.state == DossierState.CONFIRMED:
            steps.append(StageStep(stage["title"], "done", str(_("terminée"))))
        elif index == dossier.stage_index and not closed:
            steps.append(StageStep(stage["title"], "current", str(_("en cours"))))
        elif not closed:
            steps.append(StageStep(stage["title"], "next", str(_("à venir"))))
    return steps


@dataclass(frozen=True)
class ExpectedAction:
    label: str
    url_name: str | None = None


def expected_family_action(*, dossier: Dossier | None, submission) -> ExpectedAction:
    """The one thing the family should do now."""
    if dossier is None:
        return ExpectedAction(_("Compléter et déposer le dossier"), "dossiers:detail")
    if dossier.state == DossierState.CORRECTION:
        return ExpectedAction(_("Corriger le dossier et le déposer à nouveau"), "dossiers:detail")
    if dossier.state == DossierState.AWAITING_PAYMENT:
        return ExpectedAction(_("Régler le paiement"), "billing:pay")
    if dossier.state == DossierState.SUBMITTED:
        return ExpectedAction(_("Rien : votre dossier est à l'étape « %(stage)s »") % {"stage": dossier.stage_title})
    return ExpectedAction(_("Rien"))


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class StatisticsSection:
    """One more chart on the statistics page, from an app above this one
    (the payment modes, from billing): registered with the Wagtail hook
    ``dossier_statistics``, a function of the (already scoped) dossiers
    that returns a section or None."""

    title: str
    label: str
    slug: str
    bars: list[Bar]


def bars(pairs) -> list[Bar]:
    """``(label, count)`` pairs as bars, the longest at 100 %."""
    pairs = list(pairs)
    top = max((count for _label, count in pairs), default=0) or 1
    return [Bar(str(label), count, round(100 * count / top)) for label, count in pairs]


def dossier_statistics(*, dossiers) -> dict:
    """Counts and delays of ``dossiers`` (already scoped to the reader), as
    bars ready to draw."""
    from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F
    from django.db.models.functions import TruncMonth
    from django.utils import timezone
    from django.utils.formats import date_format

    from accounts.constants import SchoolLevel

    states = dict(DossierState.choices)
    by_state = dossiers.values("state").annotate(n=Count("pk")).order_by("state")
    by_school = dossiers.values("school__name").annotate(n=Count("pk")).order_by("-n", "school__name")
    levels = dict(SchoolLevel.choices)
    by_level = dossiers.values("child__level").annotate(n=Count("pk")).order_by("child__level")
    since = (timezone.localtime() - timezone.timedelta(days=365)).replace(day=1)
    by_month = (
        dossiers.filter(submitted_at__gte=since)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )

    def average_days(start: str, end: str) -> float | None:
        value = dossiers.filter(**{f"{end}__isnull": False}).aggregate(
            d=Avg(ExpressionWrapper(F(end) - F(start), output_field=DurationField()))
        )["d"]
        return round(value.total_seconds() / 86400, 1) if value is not None else None

    return {
        "total": dossiers.count(),
        "by_state": bars((states.get(row["state"], row["state"]), row["n"]) for row in by_state),
        "by_school": bars((row["school__name"], row["n"]) for row in by_school),
        "by_level": bars((levels.get(row["child__level"], _("Non renseigné")), row["n"]) for row in by_level),
        "by_month": bars((date_format(row["month"], "YEAR_MONTH_FORMAT"), row["n"]) for row in by_month),
        "sections": [section for hook in hooks.get_hooks("dossier_statistics")
                     if (section := hook(dossiers)) is not None],
        "days_to_decision": average_days("submitted_at", "decided_at"),
        "days_to_confirmation": average_days("submitted_at", "confirmed_at"),
    }
