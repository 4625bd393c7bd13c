"""Bring the inbox school's dossiers up to ``--total`` with bulk inserts (not
through the workflow): child, submitted answers, dossier, Viewflow process
and its waiting « review » task, at a review by the school's directors —
the rows the lists read."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Child, Family
from forms.models import Submission
from workflows.constants import DossierState, GroupKind
from workflows.flows import DossierFlow
from workflows.models import Dossier, DossierProcess, DossierReviewer, ReviewerGroup
from workflows.services import dossiers_counted_in_bulk

CHUNK = 5000


class Command(BaseCommand):
    help = "Bulk-insert dossiers (with process and task) for the inbox school up to --total."

    def add_arguments(self, parser):
        parser.add_argument("--total", type=int, required=True)

    def handle(self, *args, total: int, **options):
        manifest = json.loads(Path(settings.DATA_DIR, "bench_manifest.json").read_text())
        school_id = manifest["inbox_school"]
        have = Dossier.objects.filter(school_id=school_id).count()
        families = list(Family.objects.filter(name__startswith="Boîte ").values_list("pk", flat=True))
        if not families:
            Family.objects.bulk_create([Family(name=f"Boîte {i}", postal_code="97228") for i in range(200)])
            families = list(Family.objects.filter(name__startswith="Boîte ").values_list("pk", flat=True))
        dossier_type = ContentType.objects.get_for_model(Dossier)
        directors = ReviewerGroup.objects.get(kind=GroupKind.SCHOOL_DIRECTORS)
        stages = [{"kind": "review", "title": "Validation par l'école", "condition": None, "groups": [directors.pk],
                   "routing": "school", "routing_question": "", "fallback": None,
                   "decisions": ["validate", "refuse", "correct"], "delay_days": None, "group": directors.pk,
                   "note": ""}]
        now = timezone.now()
        made = have
        while made < total:
            n = min(CHUNK, total - made)
            with transaction.atomic():
                children = Child.objects.bulk_create([
                    Child(family_id=families[(made + k) % len(families)], first_name=f"Enfant{made + k}",
                          last_name="Boîte", birth_date=date(2019, 1, 1), level="CP") for k in range(n)])
                submissions = Submission.objects.bulk_create([
                    Submission(family_id=child.family_id, child=child, school_id=school_id, status="submitted",
                               form_title="Inscription (banc)", definition={"steps": []},
                               answers={"prenom": child.first_name}, submitted_at=now) for child in children])
                stamp = [now - timedelta(seconds=made + k) for k in range(n)]
                dossiers = Dossier.objects.bulk_create([
                    Dossier(submission=s, family_id=s.family_id, child_id=s.child_id, school_id=school_id,
                            state=DossierState.SUBMITTED, submitted_at=stamp[k], reference=f"B-{made + k:07d}",
                            stages=stages, review_group=directors, stage_started_at=stamp[k])
                    for k, s in enumerate(submissions)])
                DossierReviewer.objects.bulk_create([DossierReviewer(dossier=d, group=directors) for d in dossiers])
                processes = DossierProcess.objects.bulk_create([
                    DossierProcess(flow_class=DossierFlow, status=STATUS.NEW, created=stamp[k],
                                   artifact_content_type=dossier_type, artifact_object_id=d.pk)
                    for k, d in enumerate(dossiers)])
                Task.objects.bulk_create([
                    Task(process=p, flow_task=DossierFlow.review, flow_task_type="HUMAN",
                         status=STATUS.NEW, created=stamp[k]) for k, p in enumerate(processes)])
                # The staff list's counter, as the services keep it (one row).
                dossiers_counted_in_bulk(school_id=school_id, procedure_id=0, directors=True,
                                         state=DossierState.SUBMITTED, n=n)
            made += n
        # What autovacuum does after such growth in production: without fresh
        # statistics PostgreSQL plans the list as if the tables were empty,
        # and without a visibility map its counts read every heap page.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        self.stdout.write(f"{total} dossiers in the inbox school ({total - have} inserted)")
