"""What the burst left in the database, for the bench school: dossiers,
processes, waiting tasks and outbox rows, with duplicates. One JSON line."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db.models import Count
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from forms.models import Submission
from notifications.constants import Status
from notifications.models import Notification
from workflows.models import Dossier


class Command(BaseCommand):
    help = "Count the burst's rows."

    def handle(self, *args, **options):
        manifest = json.loads(Path(settings.DATA_DIR, "bench_manifest.json").read_text())
        dossiers = Dossier.objects.filter(school_id=manifest["school"])
        ids = list(dossiers.values_list("pk", flat=True))
        dossier_type = ContentType.objects.get_for_model(Dossier)
        processes = Process.objects.filter(artifact_content_type=dossier_type, artifact_object_id__in=ids)
        tasks = Task.objects.filter(process__in=processes, status=STATUS.NEW)
        outbox = Notification.objects.filter(content_type=dossier_type, object_id__in=[str(i) for i in ids])
        dup = lambda qs, key: qs.values(key).annotate(n=Count("pk")).filter(n__gt=1).count()  # noqa: E731
        self.stdout.write(json.dumps({
            "submitted": Submission.objects.filter(school_id=manifest["school"], status="submitted").count(),
            "dossiers": len(ids),
            "processes": processes.count(),
            "active_tasks": tasks.count(),
            "outbox": outbox.count(),
            "outbox_sent": outbox.filter(status=Status.SENT).count(),
            "outbox_pending": outbox.exclude(status__in=[Status.SENT, Status.FAILED]).count(),
            "dup_dossiers": dup(dossiers, "submission_id"),
            "dup_processes": dup(processes, "artifact_object_id"),
            "dup_tasks": dup(tasks, "process_id"),
            "dup_outbox": dup(outbox, "key"),
        }))
