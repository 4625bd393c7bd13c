"""The monthly bills of many families: bulk-insert ``--families`` families,
each with one child confirmed on a procedure with services (canteen on the
Mondays and Tuesdays it answered, a per-session garderie, a monthly
membership), then time ``billing.services.bills_issue`` — first for a tenth
of them, then for all — and count its queries. Prints one JSON object."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Child, Family
from billing import services
from billing.constants import Service, ServiceUnit
from billing.models import Bill, ProcedureService, QuotientBracket, SchoolCalendar
from forms.models import Submission
from workflows.constants import DossierState
from workflows.models import Dossier

YEAR = "2026-2027"
ZONE = dt.timezone(dt.timedelta(hours=-4))
SUBMITTED = dt.datetime(2026, 5, 10, 10, tzinfo=ZONE)
CONFIRMED = dt.datetime(2026, 6, 25, 10, tzinfo=ZONE)
CHUNK = 5000


def _services(procedure_id: int) -> None:
    if ProcedureService.objects.filter(procedure_id=procedure_id, school_year=YEAR).exists():
        return
    canteen = ProcedureService.objects.create(procedure_id=procedure_id, school_year=YEAR, kind=Service.CANTEEN,
                                              name="Cantine (banc)", unit=ServiceUnit.MEAL, question="cantine_jours")
    for qf_from, price, default in (("0", "1.00", False), ("700", "2.50", False), ("1200", "3.80", True)):
        QuotientBracket.objects.create(service=canteen, qf_from=Decimal(qf_from), price=Decimal(price),
                                       is_default=default)
    ProcedureService.objects.create(procedure_id=procedure_id, school_year=YEAR, kind=Service.AFTER_SCHOOL,
                                    name="Garderie (banc)", unit=ServiceUnit.SESSION, price=Decimal("2.50"))
    ProcedureService.objects.create(procedure_id=procedure_id, school_year=YEAR, kind=Service.STUDY,
                                    name="Adhésion (banc)", unit=ServiceUnit.MONTH, price=Decimal("5.00"))
    SchoolCalendar.objects.get_or_create(school_year=YEAR, defaults={
        "first_day": dt.date(2026, 9, 1), "last_day": dt.date(2027, 6, 30)})


def _families(start: int, stop: int, *, procedure_id: int, school_id: int) -> None:
    for first in range(start, stop, CHUNK):
        n = min(CHUNK, stop - first)
        with transaction.atomic():
            families = Family.objects.bulk_create([Family(name=f"Facture {first + k}", postal_code="97228")
                                                   for k in range(n)])
            children = Child.objects.bulk_create([
                Child(family=f, first_name=f"Enfant{first + k}", last_name="Facture", birth_date=dt.date(2019, 1, 1),
                      level="CP") for k, f in enumerate(families)])
            submissions = Submission.objects.bulk_create([
                Submission(family_id=c.family_id, child=c, school_id=school_id, page_id=procedure_id,
                           status="submitted", form_title="Cantine (banc)", definition={"steps": []},
                           answers={"cantine_jours": ["Lundi", "Mardi"]}, submitted_at=SUBMITTED)
                for c in children])
            Dossier.objects.bulk_create([
                Dossier(submission=s, family_id=s.family_id, child_id=s.child_id, school_id=school_id,
                        state=DossierState.CONFIRMED, submitted_at=SUBMITTED, confirmed_at=CONFIRMED,
                        reference=f"F-{first + k:07d}", stages=[])
                for k, s in enumerate(submissions)])


def _issue(month: dt.date) -> dict:
    # The 21st two months before: the month is open, the one before just locked.
    now = dt.datetime(month.year if month.month > 2 else month.year - 1, (month.month - 3) % 12 + 1, 21, 6,
                      tzinfo=ZONE)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        bills = services.bills_issue(month=month, now=now)
        seconds = time.perf_counter() - started
    return {"bills": bills, "seconds": round(seconds, 2), "queries": len(queries)}


class Command(BaseCommand):
    help = "Time the monthly bills of --families families (bulk-inserted) and count their queries."

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, required=True)

    def handle(self, *args, families: int, **options):
        manifest = json.loads(Path(settings.DATA_DIR, "bench_manifest.json").read_text())
        procedure_id, school_id = manifest["ours"], manifest["school"]
        _services(procedure_id)
        Bill.objects.filter(family__name__startswith="Facture ").delete()
        have = Family.objects.filter(name__startswith="Facture ").count()
        small = max(1, families // 10)
        if have < small:
            _families(have, small, procedure_id=procedure_id, school_id=school_id)
        first = _issue(dt.date(2026, 11, 1))
        if Family.objects.filter(name__startswith="Facture ").count() < families:
            _families(max(have, small), families, procedure_id=procedure_id, school_id=school_id)
        second = _issue(dt.date(2026, 12, 1))
        # Others than the bench's own families (the burst's) may have bills too.
        self.stdout.write(json.dumps({"families_small": small, "small": first, "families": families, "all": second}))
