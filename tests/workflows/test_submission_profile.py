"""What the « Déposer » POST costs while the family waits, in process.

The family's path through the Django test client (open the dossier, answer
the step, « Déposer » on the summary) for a handful of children; only the
last POST is measured, with ``CaptureQueriesContext``: SQL statements and
milliseconds per submission. The test holds the statement budget, so that
a change that adds queries to the request is seen; the figures it prints
(``-s``) are the README's in-process profile.

The delivery task does not run here (the test's transaction never
commits): what is measured is what the family waits for.
"""

import datetime as dt
import os
import statistics
import time
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Child
from notifications.models import Notification
from tests.forms.conftest import review_url, start, step_url
from workflows.models import Dossier

SUBMISSIONS = 8
# Statements of one « Déposer » POST here (savepoints included): 52 before
# issue 22 (rendering in the request, the procedure's messages read per
# event, a new dossier's reviewers deleted and re-read), 46 after, 43 once
# the stages are compiled once per published version and the success
# message read from the dossier; a ceiling, with a little room.
STATEMENT_BUDGET = 45


def _table(sql: str) -> str:
    for word in (" FROM ", " INTO ", "UPDATE "):
        if word in sql:
            return sql.split(word, 1)[1].split()[0].strip('"')
    return sql.split()[0]


@pytest.mark.django_db
def test_the_submission_post_stays_within_its_statement_budget(client, parent, family, procedure, director):
    page = procedure()
    client.force_login(parent)
    children = [
        Child.objects.create(family=family, first_name=f"Enfant{i}", last_name="Joseph", birth_date=dt.date(2020, 3, i + 1))
        for i in range(SUBMISSIONS + 1)
    ]
    statements, times, cpu_times, tables = [], [], [], Counter()
    for index, child in enumerate(children):
        submission = start(client, page, child)
        assert client.post(step_url(submission, 0), {"remarque": "RAS"}).status_code == 302
        with CaptureQueriesContext(connection) as queries:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.post(review_url(submission))
            elapsed = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu_started) * 1000
        assert response.status_code == 302, response.content.decode()[:1500]
        if index == 0:
            continue  # the first one warms the caches (templates, content types, the page's stages)
        statements.append(len(queries))
        times.append(elapsed)
        cpu_times.append(cpu)
        tables.update(_table(query["sql"]) for query in queries.captured_queries)

    assert Dossier.objects.count() == SUBMISSIONS + 1
    # Two messages each: the family's and the directors'.
    assert Notification.objects.filter(recipient=parent.email).count() == SUBMISSIONS + 1
    assert Notification.objects.filter(recipient=director.email).count() == SUBMISSIONS + 1
    print(
        f"\n« Déposer » POST, in process, {connection.vendor}: {statistics.mean(statements):.1f} statements, "
        f"{statistics.median(times):.1f} ms median ({min(times):.1f}–{max(times):.1f}), "
        f"{statistics.median(cpu_times):.1f} ms CPU median, over {len(times)} submissions"
        f"\nstatements by table, per submission: "
        + ", ".join(f"{table} {count / len(times):g}" for table, count in tables.most_common())
    )
    if os.environ.get("PROFILE_SQL"):
        print("\n".join(query["sql"][:300] for query in queries.captured_queries))
    assert max(statements) <= STATEMENT_BUDGET
