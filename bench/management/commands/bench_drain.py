"""Notification drain against Huey's floor, on the running consumer: the
consumer is paused (SIGSTOP) while ``--count`` tasks are queued, then resumed
and timed until the queue is empty — first no-op tasks, then outbox
messages (``notify``: stored, then rendered by the worker; one delivery
task per ``DELIVERY_BATCH`` of them) sent over SMTP. Prints one JSON line."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid

from django.core.management.base import BaseCommand
from django.db import transaction
from huey.contrib.djhuey import HUEY

from notifications.constants import Event, Status
from notifications.models import Notification
from notifications.services import notify
from notifications.variables import EVENT_VARIABLES

from ...tasks import bench_noop

TIMEOUT = 300.0


def _wait(done, what: str) -> float:
    deadline = time.monotonic() + TIMEOUT
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: not drained after {TIMEOUT:.0f} s")
        time.sleep(0.02)
    return time.perf_counter()


class Command(BaseCommand):
    help = "Time the consumer draining no-op tasks, then notifications."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--consumer-pid", type=int, required=True)

    def handle(self, *args, count: int, consumer_pid: int, **options):
        # Nothing else may be waiting, so that the queue holds only what we time.
        _wait(lambda: HUEY.pending_count() == 0, "queue before the drain")
        os.kill(consumer_pid, signal.SIGSTOP)
        try:
            for _ in range(count):
                bench_noop()
        finally:
            os.kill(consumer_pid, signal.SIGCONT)
        t0 = time.perf_counter()
        t1 = _wait(lambda: HUEY.pending_count() == 0, "no-op tasks")
        noop_rate = count / (t1 - t0)

        run = uuid.uuid4().hex[:8]
        context = {name: variable.sample for name, variable in EVENT_VARIABLES[Event.DOSSIER_SUBMITTED].items()}
        os.kill(consumer_pid, signal.SIGSTOP)
        try:
            q0 = time.perf_counter()
            ids = []
            with transaction.atomic():
                for i in range(count):
                    ids.append(notify(event=Event.DOSSIER_SUBMITTED, recipient=f"drain{i}@bench.localhost",
                                      key=f"bench-drain-{run}-{i}", context=context).pk)
            queued_s = time.perf_counter() - q0
        finally:
            os.kill(consumer_pid, signal.SIGCONT)
        t0 = time.perf_counter()
        sent = Notification.objects.filter(pk__in=ids, status=Status.SENT) if len(ids) < 900 else \
            Notification.objects.filter(pk__gte=min(ids), pk__lte=max(ids), status=Status.SENT)
        t1 = _wait(lambda: sent.count() >= count, "notifications")
        rate = count / (t1 - t0)
        failed = Notification.objects.filter(pk__gte=min(ids), pk__lte=max(ids), status=Status.FAILED).count()
        self.stdout.write(json.dumps({
            "count": count, "noop_per_s": round(noop_rate, 1), "messages_per_s": round(rate, 1),
            "ratio": round(rate / noop_rate, 3), "queue_s": round(queued_s, 2), "failed": failed,
        }))
