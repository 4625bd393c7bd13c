"""Reservations, absences and the quotient familial: what a family changes
in what it consumes, and the finance agent's check of its quotient.

The rule of the school: « Votre règlement doit intervenir au plus tard le 20
du mois précédent le mois de consommation. » Up to that cut-off
(``deadlines.due_deadline``, Martinique time) the family may reserve or
cancel days of the month; then the month is locked and billed. A reserved
day of a locked month missed for a reason the editors credit (the
service's « absences remboursées ») is deducted from the next bill not yet
issued. A quotient familial validated by a finance agent prices the months
whose cut-off had not passed then.

Reads first, then writes. Every write checks who acts, and the calendar
posts one day and one action at a time (« réserver le 4 », « annuler le
5 »), each idempotent: two guardians changing the same month never
overwrite each other's days, and the dossier row is locked while a day is
checked and written, so that two requests on the same day end in one row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from cms.school_year import school_year_months
from files import checks
from files.constants import FileKind
from notifications.formats import date_fr
from workflows.constants import DossierState
from workflows.models import Dossier

from . import amounts, clock, consumption, deadlines, schooldays, selectors
from .constants import QuotientStatus, ReservationKind, ServiceUnit
from .models import Absence, ProcedureService, QuotientDeclaration, ReservationChange

DOCUMENT_KINDS = (FileKind.PDF, FileKind.JPEG, FileKind.PNG)
DOCUMENT_MAX_MB = 5


class ReservationError(Exception):
    """A change that cannot be made, with its French message (and the form
    field it belongs to)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.message = message
        self.field = field
        super().__init__(message)

    def add_to(self, form) -> None:
        form.add_error(self.field if self.field in form.fields else None, self.message)


def _day_text(day: dt.date) -> str:
    return f"{formats.date_format(day, 'l')} {date_fr(day)}"


def _month_text(month: dt.date) -> str:
    return formats.date_format(month, "F Y")


# --- The cut-off -------------------------------------------------------------------------------------------


def locked_message(month: dt.date) -> str:
    """« Le mois de janvier 2027 est verrouillé depuis le 20 décembre 2026 »."""
    return _("Le mois de %(month)s est verrouillé depuis le %(date)s : ses réservations ne peuvent plus être "
             "modifiées.") % {"month": _month_text(month), "date": date_fr(deadlines.due_date(month))}


# --- Reads -------------------------------------------------------------------------------------------------


def reservable_services(*, dossier: Dossier) -> list[ProcedureService]:
    """The services of a confirmed dossier counted per day that its answers
    chose: those whose days a family may change."""
    if dossier.state != DossierState.CONFIRMED:
        return []
    answers = dossier.submission.answers or {}
    return [s for s in selectors.services_for(dossier=dossier)
            if s.unit != ServiceUnit.MONTH and amounts.chosen_weekdays(question=s.question, answers=answers)]


def family_dossiers(*, user) -> QuerySet[Dossier]:
    if not user.is_authenticated or not user.family_id:
        return Dossier.objects.none()
    return (Dossier.objects.filter(family_id=user.family_id, state=DossierState.CONFIRMED)
            .select_related("child", "submission", "school").order_by("child__first_name", "pk"))


def family_reservations(*, user) -> list[tuple[Dossier, list[ProcedureService]]]:
    """Each confirmed dossier of the user's family with its services to reserve."""
    rows = []
    for dossier in family_dossiers(user=user):
        services = reservable_services(dossier=dossier)
        if services:
            rows.append((dossier, services))
    return rows


def dossier_for_reservations(*, user, public_id) -> Dossier | None:
    """The user's family's own confirmed dossier, else ``None`` (a 404)."""
    return family_dossiers(user=user).filter(submission__public_id=public_id).first()


@dataclass(frozen=True)
class MonthDays:
    """A service's days in a month: the school days, those the answers plan,
    those the bill counts after the family's changes."""

    month: dt.date
    school: list[dt.date]
    planned: list[dt.date]
    billed: list[dt.date]


def service_month_days(*, dossier: Dossier, service: ProcedureService, month: dt.date) -> MonthDays:
    """The days as ``selectors.dossier_month_lines`` counts them."""
    month = deadlines.first_of_month(month)
    year_days = selectors.school_days(school_year=dossier.school_year)
    if year_days is None:
        raise selectors.CalendarMissing(dossier.school_year)
    start = selectors.billing_start(dossier=dossier)
    school = [d for d in schooldays.in_month(year_days, month) if d >= start]
    weekdays = amounts.chosen_weekdays(question=service.question, answers=dossier.submission.answers or {})
    planned = amounts.planned_days(weekdays=weekdays, school_days=school)
    billed = consumption.month_days(dossier=dossier, service=service, month=month, planned=planned)
    return MonthDays(month=month, school=school, planned=planned, billed=billed)


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    in_month: bool
    school: bool = False
    planned: bool = False
    reserved: bool = False
    absent: bool = False

    @property
    def changed(self) -> bool:
        """Reserved although not planned, or cancelled although planned."""
        return self.school and self.planned != self.reserved


@dataclass(frozen=True)
class MonthCalendar:
    """A month of one child's service, week by week, as the family sees it."""

    month: dt.date
    weekdays: list[int]
    weeks: list[list[CalendarDay]]
    locked: bool
    cut_off: dt.date
    months: list[dt.date]
    reserved_count: int
    absences: list[Absence] = field(default_factory=list)

    @property
    def previous(self) -> dt.date | None:
        earlier = [m for m in self.months if m < self.month]
        return earlier[-1] if earlier else None

    @property
    def next(self) -> dt.date | None:
        later = [m for m in self.months if m > self.month]
        return later[0] if later else None

    @property
    def absence_days(self) -> list[dt.date]:
        """Reserved days of a locked month that may still be declared absent."""
        if not self.locked:
            return []
        declared = {a.day for a in self.absences}
        return [d.day for week in self.weeks for d in week if d.reserved and d.day not in declared]


def default_month(*, dossier: Dossier, now: dt.datetime) -> dt.date:
    """The month the calendar opens on: the first one still open, kept
    within the dossier's school year."""
    months = school_year_months(dossier.school_year)
    month = deadlines.first_open_month(now)
    if month < months[0]:
        return months[0]
    return month if month <= months[-1] else months[-1]


def month_calendar(*, dossier: Dossier, service: ProcedureService, month: dt.date,
                   now: dt.datetime | None = None) -> MonthCalendar:
    now = now or clock.now()
    month = deadlines.first_of_month(month)
    days = service_month_days(dossier=dossier, service=service, month=month)
    calendar = selectors.school_calendar(school_year=dossier.school_year)
    weekdays = sorted(calendar.weekdays | {d.weekday() for d in days.billed})
    # A day billed is shown as such even where it could no longer be changed (before the billing start).
    school, planned, billed = set(days.school) | set(days.billed), set(days.planned), set(days.billed)
    absences = list(Absence.objects.filter(dossier=dossier, service=service, day__year=month.year,
                                           day__month=month.month))
    absent = {a.day for a in absences}
    weeks: list[list[CalendarDay]] = []
    day = month - dt.timedelta(days=month.weekday())
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    while day <= last:
        week = []
        for offset in range(7):
            current = day + dt.timedelta(days=offset)
            if current.weekday() not in weekdays:
                continue
            week.append(CalendarDay(day=current, in_month=current.month == month.month, school=current in school,
                                    planned=current in planned, reserved=current in billed,
                                    absent=current in absent))
        if any(d.in_month for d in week):
            weeks.append(week)
        day += dt.timedelta(days=7)
    return MonthCalendar(month=month, weekdays=weekdays, weeks=weeks, locked=deadlines.is_locked(month, now),
                         cut_off=deadlines.due_date(month), months=school_year_months(dossier.school_year),
                         reserved_count=len(billed), absences=absences)


def quotient_declarations(*, family) -> QuerySet[QuotientDeclaration]:
    return QuotientDeclaration.objects.filter(family=family).order_by("-declared_at", "-pk")


def quotient_for_family(*, user, pk: int) -> QuotientDeclaration | None:
    """One of the user's family's own declarations; another family's is ``None``."""
    if not user.is_authenticated or not user.family_id:
        return None
    return QuotientDeclaration.objects.filter(pk=pk, family_id=user.family_id).first()


def quotients_to_check(*, user) -> QuerySet[QuotientDeclaration]:
    if not selectors.is_finance_user(user):
        return QuotientDeclaration.objects.none()
    return QuotientDeclaration.objects.filter(status=QuotientStatus.PENDING).select_related(
        "family", "declared_by").order_by("declared_at", "pk")


def quotients_checked_recently(*, user, limit: int = 20) -> list[QuotientDeclaration]:
    if not selectors.is_finance_user(user):
        return []
    return list(QuotientDeclaration.objects.exclude(status=QuotientStatus.PENDING).select_related(
        "family", "validated_by").order_by("-validated_at", "-pk")[:limit])


def quotient_for_finance(*, user, pk: int) -> QuotientDeclaration | None:
    if not selectors.is_finance_user(user):
        return None
    return QuotientDeclaration.objects.filter(pk=pk).select_related("family", "declared_by").first()


# --- Writes: reservations ------------------------------------------------------------------------------


def _check_family(dossier: Dossier, by) -> None:
    if not by.is_authenticated or not by.family_id or by.family_id != dossier.family_id:
        raise ReservationError(_("Ce dossier n'est pas celui d'un enfant de votre famille."))


def _check_service(dossier: Dossier, service: ProcedureService) -> None:
    if dossier.state != DossierState.CONFIRMED:
        raise ReservationError(_("Ce dossier n'est pas confirmé : il n'y a pas encore de jours à réserver."))
    if service.pk not in {s.pk for s in reservable_services(dossier=dossier)}:
        raise ReservationError(_("Le service « %(service)s » n'est pas ouvert à ce dossier : les réponses du "
                                 "dossier ne l'ont pas choisi.") % {"service": service.name})


def _reservation_set(*, dossier: Dossier, service: ProcedureService, day: dt.date, kind: str, by,
                     now: dt.datetime | None) -> ReservationChange:
    now = now or clock.now()
    _check_family(dossier, by)
    _check_service(dossier, service)
    month = deadlines.first_of_month(day)
    if month not in school_year_months(dossier.school_year):
        raise ReservationError(_("Le %(day)s n'est pas dans l'année scolaire %(year)s.")
                               % {"day": _day_text(day), "year": dossier.school_year}, "day")
    if deadlines.is_locked(month, now):
        raise ReservationError(locked_message(month), "day")
    with transaction.atomic():
        # The dossier row is the lock of its reservations: two guardians'
        # requests on the same day are checked and written one after the other.
        locked = Dossier.objects.select_for_update().select_related("submission").get(pk=dossier.pk)
        days = service_month_days(dossier=locked, service=service, month=month)
        if day not in days.school:
            raise ReservationError(_("Le %(day)s n'est pas un jour de classe : il ne peut pas être réservé ni "
                                     "annulé.") % {"day": _day_text(day)}, "day")
        change, _created = ReservationChange.objects.update_or_create(
            dossier=locked, service=service, day=day,
            defaults={"kind": kind, "changed_by": by, "changed_at": now},
        )
    return change


def reservation_add(*, dossier: Dossier, service: ProcedureService, day: dt.date, by,
                    now: dt.datetime | None = None) -> ReservationChange:
    """Reserve ``day`` (a school day of a month still open). Reserving a
    day already reserved changes nothing."""
    return _reservation_set(dossier=dossier, service=service, day=day, kind=ReservationKind.ADDED, by=by, now=now)


def reservation_cancel(*, dossier: Dossier, service: ProcedureService, day: dt.date, by,
                       now: dt.datetime | None = None) -> ReservationChange:
    """Cancel ``day`` (a school day of a month still open). Cancelling a day
    not reserved changes nothing."""
    return _reservation_set(dossier=dossier, service=service, day=day, kind=ReservationKind.CANCELLED, by=by,
                            now=now)


# --- Writes: absences ------------------------------------------------------------------------------------


def _checked_document(upload, field: str):
    try:
        return checks.check_upload(upload, kinds=DOCUMENT_KINDS, max_mb=DOCUMENT_MAX_MB)
    except ValidationError as error:
        raise ReservationError(" ".join(error.messages), field) from None


def credit_month(*, day: dt.date, now: dt.datetime) -> dt.date:
    """The bill that credits an absence on ``day`` declared at ``now``: the
    first bill after the day's month not yet issued (the first open month's
    bill went out the day after the previous cut-off)."""
    after = (deadlines.first_of_month(day) + dt.timedelta(days=32)).replace(day=1)
    return max(after, deadlines.first_unbilled_month(now))


def absence_declare(*, dossier: Dossier, service: ProcedureService, day: dt.date, reason: str, by,
                    upload=None, now: dt.datetime | None = None) -> Absence:
    """The family declares that the child missed a reserved day of a locked
    month, for a reason the service credits; the day is deducted from the
    next bill not yet issued (a day of a month still open is cancelled
    instead)."""
    now = now or clock.now()
    _check_family(dossier, by)
    _check_service(dossier, service)
    if reason not in service.allowed_absence_reasons:
        raise ReservationError(_("Ce motif d'absence n'est pas remboursé pour le service « %(service)s ».")
                               % {"service": service.name}, "reason")
    month = deadlines.first_of_month(day)
    if month not in school_year_months(dossier.school_year):
        raise ReservationError(_("Le %(day)s n'est pas dans l'année scolaire %(year)s.")
                               % {"day": _day_text(day), "year": dossier.school_year}, "day")
    if not deadlines.is_locked(month, now):
        raise ReservationError(_("Le mois de %(month)s n'est pas encore verrouillé : annulez plutôt ce jour "
                                 "dans le calendrier, il ne sera pas facturé.") % {"month": _month_text(month)},
                               "day")
    if day not in service_month_days(dossier=dossier, service=service, month=month).billed:
        raise ReservationError(_("Le %(day)s n'était pas réservé : il n'est pas facturé.")
                               % {"day": _day_text(day)}, "day")
    checked = _checked_document(upload, "document") if upload is not None else None
    absence = Absence(dossier=dossier, service=service, day=day, reason=reason, declared_by=by, declared_at=now,
                      credited_on=credit_month(day=day, now=now))
    try:
        with transaction.atomic():
            if checked is not None:
                absence.document.save(f"absence.{checked.kind}", upload, save=False)
                absence.document_type = checked.content_type
            absence.save()
    except IntegrityError:
        raise ReservationError(_("Une absence est déjà déclarée le %(day)s.") % {"day": _day_text(day)},
                               "day") from None
    return absence


# --- Writes: the quotient familial -------------------------------------------------------------------------


def parse_quotient(text: str) -> Decimal:
    """« 650 », « 650,50 », « 1 200 € » → a Decimal to the cent."""
    cleaned = (text or "").replace("€", "").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        raise ReservationError(_("Écrivez le quotient familial en euros, par exemple 650 ou 650,50."),
                               "value") from None
    if not value.is_finite() or value < 0 or value >= Decimal("1000000"):
        raise ReservationError(_("Écrivez le quotient familial en euros, par exemple 650 ou 650,50."), "value")
    return amounts.to_cent(value)


def quotient_declare(*, family, value: Decimal, upload, by, now: dt.datetime | None = None) -> QuotientDeclaration:
    """The family declares its quotient with the CAF attestation (checked
    like every upload); a finance agent checks it."""
    now = now or clock.now()
    if not by.is_authenticated or not by.family_id or by.family_id != family.pk:
        raise ReservationError(_("Vous ne pouvez déclarer le quotient familial que de votre propre famille."))
    if upload is None:
        raise ReservationError(_("Joignez l'attestation de quotient familial de la CAF (PDF, JPEG ou PNG)."),
                               "document")
    checked = _checked_document(upload, "document")
    with transaction.atomic():
        # One declaration waits at a time: the family lock is its row.
        type(family).objects.select_for_update().get(pk=family.pk)
        if QuotientDeclaration.objects.filter(family=family, status=QuotientStatus.PENDING).exists():
            raise ReservationError(_("Une déclaration de quotient familial est déjà en cours de vérification : "
                                     "attendez la réponse du service financier."))
        declaration = QuotientDeclaration(family=family, value=value, declared_by=by, declared_at=now,
                                          document_type=checked.content_type)
        declaration.document.save(f"quotient.{checked.kind}", upload, save=False)
        declaration.save()
    return declaration


def _pending_for_finance(declaration: QuotientDeclaration, by) -> QuotientDeclaration:
    if not selectors.is_finance_user(by):
        raise ReservationError(_("Seul le service financier vérifie les quotients familiaux."))
    locked = QuotientDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if locked.status != QuotientStatus.PENDING:
        raise ReservationError(_("Cette déclaration a déjà été vérifiée (état : %(state)s).")
                               % {"state": locked.get_status_display().lower()})
    return locked


def quotient_validate(*, declaration: QuotientDeclaration, by, now: dt.datetime | None = None) -> QuotientDeclaration:
    """A finance agent checked the attestation: the quotient prices the
    bills not yet issued, from the first month whose cut-off is ahead."""
    now = now or clock.now()
    with transaction.atomic():
        locked = _pending_for_finance(declaration, by)
        locked.status = QuotientStatus.VALIDATED
        locked.validated_by = by
        locked.validated_at = now
        locked.applies_from = deadlines.first_unbilled_month(now)  # a bill issued never changes
        locked.save(update_fields=["status", "validated_by", "validated_at", "applies_from"])
    return locked


def quotient_refuse(*, declaration: QuotientDeclaration, by, reason: str,
                    now: dt.datetime | None = None) -> QuotientDeclaration:
    now = now or clock.now()
    if not reason.strip():
        raise ReservationError(_("Indiquez le motif du refus."), "reason")
    with transaction.atomic():
        locked = _pending_for_finance(declaration, by)
        locked.status = QuotientStatus.REFUSED
        locked.validated_by = by
        locked.validated_at = now
        locked.refusal_reason = reason.strip()
        locked.save(update_fields=["status", "validated_by", "validated_at", "refusal_reason"])
    return locked


def family_documents_erase(*, family) -> int:
    """A deleted account's CAF attestations and absence certificates go
    (medical and income documents); the rows stay without them, for the
    amounts already billed. Files are removed once the transaction commits.
    Returns how many files were erased."""
    from django.db import transaction

    erased = 0
    for row in [*QuotientDeclaration.objects.filter(family=family).exclude(document=""),
                *Absence.objects.filter(dossier__family=family).exclude(document="")]:
        name, storage = row.document.name, row.document.storage
        row.document = ""
        row.save(update_fields=["document"])
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        erased += 1
    return erased
