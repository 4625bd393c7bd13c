"""What a family consumes, as the monthly bill reads it: the days of a
service after the family's reservation changes, the credits of its allowed
absences, the quotient familial that prices a month.

Reads only. Each function accepts objects whose relations were prefetched
(``Prefetch("reservation_changes")`` on dossiers, ``"absences"`` and
``"quotient_declarations"`` through the family) and then asks the database
nothing, so that building the bills of every family costs a fixed number of
queries; without a prefetch, each asks once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from . import amounts, deadlines
from .constants import QuotientStatus, ReservationKind
from .models import Absence, QuotientDeclaration, ReservationChange


def _prefetched(instance, name: str):
    """The prefetched rows of ``instance.<name>``, or ``None``."""
    cache = getattr(instance, "_prefetched_objects_cache", None) or {}
    return list(cache[name]) if name in cache else None


def _in_month(day: dt.date, month: dt.date) -> bool:
    return (day.year, day.month) == (month.year, month.month)


def month_days(*, dossier, service, month: dt.date, planned: list[dt.date]) -> list[dt.date]:
    """The days of ``service`` to bill in ``month``: the ``planned`` days
    (from the answers) with the family's changes applied — a day reserved is
    added, a day cancelled is taken away. Changes were checked when made (a
    school day, before the month's cut-off)."""
    month = deadlines.first_of_month(month)
    changes = _prefetched(dossier, "reservation_changes")
    if changes is None:
        changes = ReservationChange.objects.filter(dossier=dossier, service=service, day__year=month.year,
                                                   day__month=month.month)
    days = set(planned)
    for change in changes:
        if change.service_id != service.pk or not _in_month(change.day, month):
            continue
        if change.kind == ReservationKind.ADDED:
            days.add(change.day)
        else:
            days.discard(change.day)
    return sorted(days)


def family_quotient(*, family, month: dt.date) -> Decimal | None:
    """The validated quotient familial that prices ``month``, or ``None``
    (the services' default bracket). A declaration validated applies from
    the month of the first bill not yet issued then (``applies_from``):
    a bill already issued never changes."""
    month = deadlines.first_of_month(month)
    declarations = _prefetched(family, "quotient_declarations")
    if declarations is None:
        declarations = QuotientDeclaration.objects.filter(family=family, status=QuotientStatus.VALIDATED,
                                                          applies_from__lte=month)
    valid = [d for d in declarations if d.status == QuotientStatus.VALIDATED and d.applies_from
             and d.applies_from <= month]
    if not valid:
        return None
    latest = max(valid, key=lambda d: (d.applies_from, d.validated_at, d.pk))
    return latest.value


def month_credits(*, family, month: dt.date) -> list[amounts.Line]:
    """The credits on ``month``'s bill: one line per child and service for
    the allowed absences credited on it (mostly the previous month's;
    ``Absence.credited_on`` holds the month, so each is credited once), at
    the unit price of the day's month, negative."""
    return families_credits(family_ids=[family.pk], month=month).get(family.pk, [])


def families_credits(*, family_ids, month: dt.date) -> dict[int, list[amounts.Line]]:
    """``month_credits`` of many families at once, by family id, in a fixed
    number of queries (the bills of every family are built with it)."""
    month = deadlines.first_of_month(month)
    absences = (Absence.objects.filter(dossier__family_id__in=list(family_ids), credited_on=month)
                .select_related("dossier__child", "dossier__family", "service")
                .prefetch_related("service__brackets", Prefetch(
                    "dossier__family__quotient_declarations",
                    queryset=QuotientDeclaration.objects.filter(status=QuotientStatus.VALIDATED)))
                .order_by("day", "pk"))
    grouped: dict[tuple, list[Absence]] = defaultdict(list)
    for absence in absences:
        grouped[(absence.dossier.family_id, str(absence.dossier.child), absence.dossier_id, absence.service_id,
                 deadlines.first_of_month(absence.day))].append(absence)
    credits: dict[int, list[amounts.Line]] = defaultdict(list)
    for (family_id, child, dossier_id, _service, day_month), rows in sorted(grouped.items(), key=lambda item: item[0]):
        service = rows[0].service
        brackets = [amounts.Bracket(b.qf_from, b.price, b.is_default) for b in service.brackets.all()]
        price = amounts.unit_price(price=service.price, brackets=brackets,
                                   quotient=family_quotient(family=rows[0].dossier.family, month=day_month))
        credits[family_id].append(amounts.Line(
            child=child, service=_("Avoir : %(service)s") % {"service": service.name}, unit=service.unit,
            quantity=len(rows), unit_price=-price, days=tuple(row.day for row in rows), kind=service.kind,
            dossier_id=dossier_id,
        ))
    return dict(credits)
