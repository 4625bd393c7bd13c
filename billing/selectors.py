"""Reads of payments, always scoped to who asks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils import timezone

from accounts.constants import Role
from cms.school_year import school_year_months
from workflows.constants import DossierState, StageKind
from workflows.models import Dossier
from workflows.selectors import StatisticsSection, bars, dossiers_for_staff
from workflows.stages import stage_of_kind

from . import amounts, consumption, deadlines, schooldays
from .constants import ArrangementStatus, MandateStatus, PaymentMode, QuotientStatus, RevocationReason, ServiceUnit
from .models import (
    CardPayment,
    DirectDebit,
    Mandate,
    PaymentArrangement,
    PaymentSettings,
    ProcedureService,
    QuotientDeclaration,
    ReservationChange,
    SchoolCalendar,
    Tariff,
)

def tariffs_for(*, dossier: Dossier) -> QuerySet[Tariff]:
    """The tariffs a family may choose for this dossier: its school's, for
    its school year, of the services its procedure's payment stage names."""
    stage = stage_of_kind(dossier.stages, StageKind.PAYMENT)
    services = stage.get("services") if stage else []
    return Tariff.objects.filter(school_id=dossier.school_id, school_year=dossier.school_year,
                                 service__in=services or []).order_by("service")


def first_month_choices(*, dossier: Dossier) -> list[dt.date]:
    """The months the family may start with: those of the school year whose
    due date had not passed when the dossier was validated (so that the
    default never slides while a family waits)."""
    since = deadlines.local_today(dossier.decided_at or dossier.submitted_at)
    months = [m for m in school_year_months(dossier.school_year) if deadlines.due_date(m) >= since]
    return months or school_year_months(dossier.school_year)[-1:]


@dataclass(frozen=True)
class Terms:
    """What a dossier awaiting payment owes, and by when."""

    first_month: dt.date
    amount: Decimal | None
    due_date: dt.date
    arrangement: PaymentArrangement | None


def payment_terms(*, dossier: Dossier) -> Terms:
    arrangement = PaymentArrangement.objects.filter(dossier=dossier).select_related("tariff").first()
    if arrangement is not None:
        return Terms(arrangement.first_month, arrangement.amount, arrangement.due_date, arrangement)
    first = first_month_choices(dossier=dossier)[0]
    lowest = tariffs_for(dossier=dossier).order_by("monthly_amount").first()
    return Terms(first, lowest.monthly_amount if lowest else None, deadlines.due_date(first), None)


def arrangement_for_family(*, user, dossier: Dossier) -> PaymentArrangement | None:
    if not user.is_authenticated or user.family_id != dossier.family_id:
        return None
    return PaymentArrangement.objects.filter(dossier=dossier).select_related("tariff").first()


def current_mandate(*, dossier: Dossier) -> Mandate | None:
    return dossier.mandates.exclude(status__in=[MandateStatus.REVOKED]).order_by("-created_at", "-pk").first()


def card_enabled() -> bool:
    return bool(settings.CARD_PAYMENT_VARIANT)


def payment_settings() -> PaymentSettings:
    return PaymentSettings.load()


# --- Finance workspace ---------------------------------------------------------------------------------


def is_finance_user(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.has_role(Role.FINANCE)


def finance_dossiers(*, user) -> QuerySet[Dossier]:
    """The dossiers a finance agent may act on: those with a payment, within
    the workspace's own scope (``workflows.selectors.dossiers_for_staff``)."""
    if not is_finance_user(user):
        return Dossier.objects.none()
    return dossiers_for_staff(user=user).filter(payment_required=True)


def mandates_to_check(*, user) -> QuerySet[Mandate]:
    return (
        Mandate.objects.filter(status=MandateStatus.SIGNED, dossier__in=finance_dossiers(user=user))
        .select_related("dossier__child", "dossier__family", "dossier__school")
        .order_by("created_at")
    )


def mandate_for_finance(*, user, pk: int) -> Mandate | None:
    return Mandate.objects.filter(pk=pk, dossier__in=finance_dossiers(user=user)).select_related(
        "dossier__child", "dossier__family", "dossier__school"
    ).first()


def mandates_revoked_recently(*, user, days: int = 60, now: dt.datetime | None = None) -> QuerySet[Mandate]:
    """Mandates ended in the last ``days`` (an account deleted, a dossier
    refused or withdrawn, a debit rejected): no debit goes out on them any
    more. A mandate replaced before it was signed is no news."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    return (
        Mandate.objects.filter(revoked_at__gte=since, dossier__in=finance_dossiers(user=user))
        .exclude(revocation_reason__in=["", RevocationReason.REPLACED])
        .select_related("dossier__child", "dossier__family")
        .order_by("-revoked_at", "-pk")
    )


def cash_to_record(*, user) -> QuerySet[PaymentArrangement]:
    return (
        PaymentArrangement.objects.filter(
            mode=PaymentMode.CASH, dossier__state=DossierState.AWAITING_PAYMENT,
            dossier__in=finance_dossiers(user=user),
        )
        .exclude(status=ArrangementStatus.SETTLED)
        .select_related("tariff", "dossier__child", "dossier__family", "dossier__school")
        .order_by("first_month", "dossier__reference")
    )


def overdue_dossiers(*, user, now: dt.datetime | None = None) -> list[tuple[Dossier, Terms]]:
    """Dossiers still awaiting payment after their due date — flagged, never
    cancelled: the finance agent decides what follows."""
    now = now or timezone.now()
    rows = []
    waiting = finance_dossiers(user=user).filter(state=DossierState.AWAITING_PAYMENT).order_by("reference")
    for dossier in waiting:
        terms = payment_terms(dossier=dossier)
        if terms.arrangement is not None and terms.arrangement.status == ArrangementStatus.TO_CHECK:
            continue  # the family did its part; the mandate waits for finance
        flagged = terms.arrangement is not None and terms.arrangement.overdue_at is not None
        if flagged or now >= deadlines.due_deadline(terms.first_month):
            rows.append((dossier, terms))
    return rows


def _debits_scope(user) -> Q:
    """A finance agent's debits: those of the dossiers with a payment stage,
    and every bill's (see ``bill_for_finance``)."""
    scope = Q(mandate__dossier__in=finance_dossiers(user=user))
    if is_finance_user(user):
        scope |= Q(bill__isnull=False)
    return scope


def debits_for_month(*, user, month: dt.date) -> QuerySet[DirectDebit]:
    return DirectDebit.objects.filter(_debits_scope(user), month=month).select_related(
        "mandate__dossier__child", "mandate__dossier__family", "bill"
    )


def debit_for_finance(*, user, pk: int) -> DirectDebit | None:
    return DirectDebit.objects.filter(_debits_scope(user), pk=pk).select_related(
        "mandate__dossier"
    ).first()


def card_payments_not_counted(*, user) -> QuerySet[CardPayment]:
    """Card payments the provider confirmed but that did not count (already
    paid, wrong amount): to refund."""
    return CardPayment.objects.filter(dossier__in=finance_dossiers(user=user)).exclude(refusal="").select_related(
        "dossier"
    )


def payment_mode_statistics(*, dossiers: QuerySet[Dossier]) -> StatisticsSection | None:
    """How the families of ``dossiers`` (already scoped to the reader) that
    have a payment pay."""
    rows = (
        # A refused or withdrawn dossier will never choose: it is not « pas encore choisi ».
        dossiers.filter(payment_required=True)
        .exclude(state__in=[DossierState.REFUSED, DossierState.WITHDRAWN])
        .values("payment_arrangement__mode")
        .annotate(n=Count("pk"))
        .order_by("payment_arrangement__mode")
    )
    modes = dict(PaymentMode.choices)
    found = bars((modes.get(row["payment_arrangement__mode"], _("Mode pas encore choisi")), row["n"]) for row in rows)
    if not found:
        return None
    return StatisticsSection(title=_("Dossiers avec paiement, par mode de paiement"), label=_("Mode de paiement"),
                             slug="paiement", bars=found)


# --- Services, school days and month amounts -----------------------------------------------------------


class CalendarMissing(Exception):
    """A service counted per day needs the school year's calendar."""

    def __init__(self, school_year: str) -> None:
        self.school_year = school_year
        self.message = _("Le calendrier scolaire %(year)s n'est pas encore saisi : les jours de classe ne "
                         "peuvent pas être comptés.") % {"year": school_year}
        super().__init__(self.message)


def school_calendar(*, school_year: str) -> SchoolCalendar | None:
    return SchoolCalendar.objects.filter(school_year=school_year).prefetch_related("closures").first()


def school_days(*, school_year: str) -> list[dt.date] | None:
    """The year's days of class, or ``None`` when its calendar is not entered."""
    calendar = school_calendar(school_year=school_year)
    return schooldays.calendar_school_days(calendar) if calendar is not None else None


def services_for(*, dossier: Dossier) -> list[ProcedureService]:
    """The services a dossier of this procedure, school and school year
    gives access to. A service carried forward from a flat tariff applies
    only where the family chose that tariff."""
    services = (
        ProcedureService.objects.filter(procedure_id=dossier.submission.page_id, school_year=dossier.school_year)
        .filter(Q(school__isnull=True) | Q(school_id=dossier.school_id))
        .prefetch_related("brackets")
        .order_by("name", "pk")
    )
    arrangement = PaymentArrangement.objects.filter(dossier=dossier).first()
    chosen_tariff = arrangement.tariff_id if arrangement is not None else None
    return [s for s in services if s.tariff_id is None or s.tariff_id == chosen_tariff]


def billing_start(*, dossier: Dossier) -> dt.date:
    """The first day a confirmed dossier's services are due: from the first
    month its family chose at the payment stage, else from its confirmation."""
    arrangement = PaymentArrangement.objects.filter(dossier=dossier).first()
    if arrangement is not None:
        return arrangement.first_month
    moment = dossier.confirmed_at or dossier.decided_at or dossier.submitted_at
    return deadlines.local_today(moment)


def service_unit_price(*, service: ProcedureService, quotient: Decimal | None) -> Decimal:
    brackets = [amounts.Bracket(b.qf_from, b.price, b.is_default) for b in service.brackets.all()]
    return amounts.unit_price(price=service.price, brackets=brackets, quotient=quotient)


def _dossier_lines(*, dossier: Dossier, month: dt.date, services: list[ProcedureService], start: dt.date,
                   year_days: list[dt.date] | None, quotient: Decimal | None) -> list[amounts.Line]:
    """The money rule for one dossier and month, from what was read already:
    for each service its days (``consumption.month_days`` of the days the
    answers plan) × its unit price."""
    answers = dossier.submission.answers or {}
    lines = []
    for service in services:
        weekdays = amounts.chosen_weekdays(question=service.question, answers=answers)
        if not weekdays:
            continue
        if year_days is None and service.unit != ServiceUnit.MONTH:
            raise CalendarMissing(dossier.school_year)
        if service.unit == ServiceUnit.MONTH:
            # Due each month of school from the first one, in which the
            # child has at least one day (any month without a calendar).
            if month < deadlines.first_of_month(start):
                days = []
            elif year_days is None:
                days = [month]
            else:
                planned = amounts.planned_days(weekdays=weekdays, school_days=schooldays.in_month(year_days, month))
                days = [month] if consumption.month_days(dossier=dossier, service=service, month=month,
                                                         planned=planned) else []
        else:
            planned = [d for d in amounts.planned_days(weekdays=weekdays,
                                                       school_days=schooldays.in_month(year_days, month)) if d >= start]
            days = consumption.month_days(dossier=dossier, service=service, month=month, planned=planned)
        count = amounts.quantity(unit=service.unit, days=days)
        if not count:
            continue
        lines.append(amounts.Line(
            child=str(dossier.child), service=service.name, unit=service.unit, quantity=count,
            unit_price=service_unit_price(service=service, quotient=quotient),
            days=tuple(days) if service.unit != ServiceUnit.MONTH else (), kind=service.kind,
        ))
    return lines


def dossier_month_lines(*, dossier: Dossier, month: dt.date, quotient: Decimal | None = None,
                        days_of_year: dict[str, list[dt.date] | None] | None = None) -> list[amounts.Line]:
    """One line per service of a confirmed dossier planned in ``month``:
    the planned days (school days of that month, on the weekdays its
    answers chose, from its billing start) × the unit price."""
    month = deadlines.first_of_month(month)
    year = dossier.school_year
    if dossier.state != DossierState.CONFIRMED or month not in school_year_months(year):
        return []
    services = services_for(dossier=dossier)
    if not services:
        return []
    cache = days_of_year if days_of_year is not None else {}
    if year not in cache:
        cache[year] = school_days(school_year=year)
    return _dossier_lines(dossier=dossier, month=month, services=services, start=billing_start(dossier=dossier),
                          year_days=cache[year], quotient=quotient)


def school_year_of_month(month: dt.date) -> str:
    start = month.year if month.month >= 9 else month.year - 1
    return f"{start}-{start + 1}"


@dataclass
class FamilyMonth:
    """What one family consumes in a month, line by line with the dossier
    each line comes from, and what it already paid for that month at the
    payment stage (a flat tariff's first month)."""

    family: object
    month: dt.date
    quotient: Decimal | None
    lines: list[tuple[Dossier, amounts.Line]]
    prepaid: list[tuple[Dossier, Decimal]]


def families_month(*, month: dt.date, family_ids: list[int] | None = None) -> list[FamilyMonth]:
    """Every family with a confirmed dossier of ``month``'s school year, in
    a fixed number of queries whatever the number of families (the
    services, arrangements, calendar and payments are read once)."""
    from django.db.models import Sum

    from .models import Payment

    month = deadlines.first_of_month(month)
    year = school_year_of_month(month)
    if month not in school_year_months(year):
        return []
    from cms.school_year import ENROLMENT_OPENS_IN, school_year_start

    # Dossiers are for the school year they were filed in (``Dossier.school_year``).
    opens = school_year_start(year)
    zone = deadlines.local_zone()
    dossiers = (Dossier.objects.filter(
        state=DossierState.CONFIRMED,
        submitted_at__gte=dt.datetime(opens, ENROLMENT_OPENS_IN, 1, tzinfo=zone),
        submitted_at__lt=dt.datetime(opens + 1, ENROLMENT_OPENS_IN, 1, tzinfo=zone),
    ).select_related("child", "submission", "family").order_by("family_id", "child__first_name", "pk")
        # What ``consumption`` reads, once for every family.
        .prefetch_related(
            Prefetch("reservation_changes", queryset=ReservationChange.objects.filter(
                day__gte=month, day__lt=deadlines.next_month(month))),
            Prefetch("family__quotient_declarations", queryset=QuotientDeclaration.objects.filter(
                status=QuotientStatus.VALIDATED, applies_from__lte=month)),
        ))
    if family_ids is not None:
        dossiers = dossiers.filter(family_id__in=family_ids)
    dossiers = [d for d in dossiers if d.school_year == year]
    if not dossiers:
        return []
    procedure_ids = {d.submission.page_id for d in dossiers}
    by_procedure: dict[int, list[ProcedureService]] = {}
    for service in (ProcedureService.objects.filter(procedure_id__in=procedure_ids, school_year=year)
                    .prefetch_related("brackets").order_by("name", "pk")):
        by_procedure.setdefault(service.procedure_id, []).append(service)
    arrangements = {a.dossier_id: a for a in PaymentArrangement.objects.filter(
        dossier_id__in=[d.pk for d in dossiers])}
    prepaid = {row["dossier_id"]: row["total"] for row in Payment.objects.filter(
        dossier_id__in=[d.pk for d in dossiers], bill__isnull=True, month=month,
    ).values("dossier_id").annotate(total=Sum("amount"))}
    year_days = school_days(school_year=year) if by_procedure else None
    families: dict[int, FamilyMonth] = {}
    for dossier in dossiers:
        entry = families.get(dossier.family_id)
        if entry is None:
            entry = families[dossier.family_id] = FamilyMonth(
                dossier.family, month, consumption.family_quotient(family=dossier.family, month=month), [], [])
        arrangement = arrangements.get(dossier.pk)
        chosen_tariff = arrangement.tariff_id if arrangement is not None else None
        services = [s for s in by_procedure.get(dossier.submission.page_id, [])
                    if (s.school_id is None or s.school_id == dossier.school_id)
                    and (s.tariff_id is None or s.tariff_id == chosen_tariff)]
        if dossier.pk in prepaid:
            entry.prepaid.append((dossier, prepaid[dossier.pk]))
        if not services:
            continue
        if arrangement is not None:
            start = arrangement.first_month
        else:
            start = deadlines.local_today(dossier.confirmed_at or dossier.decided_at or dossier.submitted_at)
        for line in _dossier_lines(dossier=dossier, month=month, services=services, start=start,
                                   year_days=year_days, quotient=entry.quotient):
            entry.lines.append((dossier, line))
    return list(families.values())


def family_month_statement(*, family, month: dt.date, quotient: Decimal | None = None) -> amounts.Statement:
    """What ``family`` owes for ``month``: every confirmed dossier of a
    procedure with services, every service planned that month."""
    month = deadlines.first_of_month(month)
    dossiers = (Dossier.objects.filter(family=family, state=DossierState.CONFIRMED)
                .select_related("child", "submission").order_by("child__first_name", "pk"))
    cache: dict[str, list[dt.date] | None] = {}
    lines: list[amounts.Line] = []
    for dossier in dossiers:
        lines += dossier_month_lines(dossier=dossier, month=month, quotient=quotient, days_of_year=cache)
    return amounts.Statement(month=month, lines=lines)


# --- Bills ------------------------------------------------------------------------------------------


def bills_for_family(*, user) -> QuerySet:
    """The bills of the signed-in guardian's family, newest month first."""
    from .models import Bill

    if not user.is_authenticated or not user.family_id:
        return Bill.objects.none()
    return Bill.objects.filter(family_id=user.family_id).order_by("-month", "-pk")


def bill_for_family(*, user, number: str):
    """One bill of the user's family; ``None`` for another family's."""
    return bills_for_family(user=user).filter(number=number).prefetch_related("lines").first()


def bill_for_finance(*, user, number: str):
    """A bill a finance agent may record cash against. Every bill: finance
    agents see every dossier with a payment, and a billed dossier has one
    (its services), whether or not its procedure has a payment stage."""
    from .models import Bill

    number = "".join((number or "").split()).upper()
    if not number or not is_finance_user(user):
        return None
    return Bill.objects.filter(number=number).select_related("family").first()


def bills_to_refund(*, user) -> list:
    from .models import Bill

    if not is_finance_user(user):
        return []
    return list(Bill.objects.filter(to_refund__gt=0).select_related("family").order_by("-month", "number"))


# --- The family's own data (« Mes données ») ------------------------------------------------------


def payment_records(*, dossier: Dossier) -> tuple[dict | None, list[Mandate]]:
    """What the portal holds about a dossier's payments, for the family's
    data archive: the arrangement, the mandates (the IBAN masked to its last
    four characters), the debits and the payments received — and the
    mandates whose signed file goes into the archive. ``None`` when the
    dossier has no payment."""
    arrangement = PaymentArrangement.objects.filter(dossier=dossier).select_related("tariff").first()
    mandates = list(dossier.mandates.prefetch_related("debits"))
    payments = list(dossier.payments.all())
    if arrangement is None and not mandates and not payments:
        return None, []
    data = {
        "reglement": None if arrangement is None else {
            "service": arrangement.tariff.get_service_display(), "montant_mensuel": arrangement.amount,
            "premier_mois": arrangement.first_month, "mode": arrangement.get_mode_display(),
            "etat": arrangement.get_status_display(), "choisi_le": arrangement.chosen_at,
            "regle_le": arrangement.settled_at,
        },
        "mandats": [
            {
                "reference": m.reference, "creancier": m.creditor_name, "ics": m.creditor_identifier,
                "titulaire": m.holder_name, "iban": f"•••• {m.iban_end}" if m.iban else "",
                "etat": m.get_status_display(), "cree_le": m.created_at, "signe_le": m.signed_at,
                "revoque_le": m.revoked_at, "motif_revocation": m.get_revocation_reason_display(),
                "coordonnees_effacees_le": m.erased_at,
                "prelevements": [
                    {"mois": d.month, "montant": d.amount, "echeance": d.collection_date,
                     "etat": d.get_status_display(), "motif_rejet": d.rejection_reason}
                    for d in m.debits.all()
                ],
            }
            for m in mandates
        ],
        "paiements_recus": [
            {"mode": p.get_mode_display(), "montant": p.amount, "mois": p.month, "recu_le": p.received_at,
             "numero_de_recu": p.receipt_number or ""}
            for p in payments
        ],
    }
    return data, [m for m in mandates if m.signed_document]


def bill_records(*, family) -> list[dict]:
    """The family's bills, for its data archive: each with its lines (the
    days as dates) and the payments received for it."""
    from .models import Bill

    bills = Bill.objects.filter(family=family).prefetch_related("lines", "payments").order_by("month", "pk")
    return [
        {
            "numero": b.number, "mois": b.month, "emise_le": b.issued_at, "a_regler_le": b.due_date,
            "total": b.total, "etat": b.get_status_display(), "payee_le": b.paid_at,
            "a_rembourser": b.to_refund, "quotient_familial": b.quotient,
            "lignes": [
                {"enfant": line.child, "service": line.label, "quantite": line.quantity,
                 "prix_unitaire": line.unit_price, "montant": line.amount, "jours": line.days}
                for line in b.lines.all()
            ],
            "paiements_recus": [
                {"mode": p.get_mode_display(), "montant": p.amount, "recu_le": p.received_at,
                 "numero_de_recu": p.receipt_number or ""}
                for p in b.payments.all()
            ],
        }
        for b in bills
    ]


# --- Attestation fiscale (frais de garde des enfants de moins de 6 ans) --------------------------------


@dataclass(frozen=True)
class ChildcareAmount:
    """What a family paid during a year for one child's childcare."""

    child: object  # accounts.Child
    birth_date: dt.date
    amount: Decimal


def _childcare_lines(*, family):
    """The childcare lines (credits and regularisations included) of the
    family's paid bills, with their child."""
    from .fiscal import CHILDCARE_KINDS
    from .models import BillLine
    from .constants import BillStatus

    return (BillLine.objects.filter(bill__family=family, bill__status=BillStatus.PAID, bill__paid_at__isnull=False,
                                    kind__in=CHILDCARE_KINDS, dossier__isnull=False,
                                    dossier__child__family=family)
            .select_related("bill", "dossier__child"))


def childcare_paid(*, family, year: int) -> list[ChildcareAmount]:
    """For each child of ``family`` under 6 on the 1st of January of
    ``year``, the childcare paid during ``year`` (Martinique time): the sum
    of the childcare lines of the bills paid that year, to the cent. A
    child with nothing paid is left out."""
    from .fiscal import under_six

    zone = deadlines.local_zone()
    start, end = dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)
    totals: dict[int, list] = {}
    for line in _childcare_lines(family=family).filter(bill__paid_at__gte=start, bill__paid_at__lt=end):
        child = line.dossier.child
        if not under_six(birth_date=child.birth_date, year=year):
            continue
        totals.setdefault(child.pk, [child, Decimal("0.00")])[1] += line.amount
    found = [ChildcareAmount(child=child, birth_date=child.birth_date, amount=amounts.to_cent(total))
             for child, total in totals.values() if total > 0]
    return sorted(found, key=lambda entry: (entry.child.first_name, entry.child.pk))


def childcare_years(*, family) -> list[tuple[int, list[ChildcareAmount]]]:
    """The years in which ``family`` paid childcare for a child under 6,
    newest first, each with ``childcare_paid``."""
    years = {deadlines.local_today(paid_at).year
             for paid_at in _childcare_lines(family=family).values_list("bill__paid_at", flat=True)}
    found = [(year, childcare_paid(family=family, year=year)) for year in sorted(years, reverse=True)]
    return [(year, entries) for year, entries in found if entries]
