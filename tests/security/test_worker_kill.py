"""Nothing is lost and nothing is done twice when a web worker dies.

The product runs as in production: gunicorn (two gthread workers) on the
test database, in its own process. Families, each with its own session and
several children, open and submit their dossiers over HTTP at the same
time, while web workers are killed with SIGKILL in the middle of the work
(gunicorn starts new ones). A family whose request dies with the worker
does what a person does: sends it again (a replayed POST).

Afterwards every child has exactly one submitted dossier, with its process,
one « déposé » line in its history and its two outbox messages (family and
director): no dossier lost, none duplicated, no half-done submission. No
answer was a server error.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Child
from forms.models import Submission
from notifications.constants import Event
from notifications.models import Notification
from tests.factories import FamilyFactory, UserFactory
from tests.forms.conftest import confirmed
from tests.processes import database_url, free_port
from tests.workflows.conftest import director, home, procedure, school  # noqa: F401 — fixtures
from workflows.constants import DossierAction, DossierState
from workflows.models import Dossier, DossierEvent, DossierProcess

# A local run: 8 families × 6 children, a worker killed 4 times. CI's PostgreSQL pass asks for more.
FAMILIES = int(os.environ.get("WORKER_KILL_FAMILIES", "8"))
CHILDREN = int(os.environ.get("WORKER_KILL_CHILDREN", "6"))
KILLS = int(os.environ.get("WORKER_KILLS", "4"))
ATTEMPTS = 20  # a request sent again at most this often (the workers come back in a second or two)


class Gunicorn:
    def __init__(self, env: dict, log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "inscrire.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                 "--workers", "2", "--worker-class", "gthread", "--threads", "2", "--timeout", "60",
                 "--graceful-timeout", "2", "--error-logfile", "-"],
                cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def workers(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.base + "/compte/connexion/", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer:\n{self.log()}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


class Family:
    """One family's browser: its session cookie (signed in beforehand, as the
    login page would), its CSRF cookie, and every answer it received."""

    def __init__(self, base: str, session_cookie: str) -> None:
        self.http = httpx.Client(base_url=base, follow_redirects=False, timeout=60,
                                 cookies={settings.SESSION_COOKIE_NAME: session_cookie})
        self.statuses: Counter = Counter()
        self.retries = 0
        self.done = 0

    def send(self, method: str, url: str, **kwargs) -> httpx.Response:
        """Send, and send again when the connection dies with its worker."""
        for _ in range(ATTEMPTS):
            if method == "POST":
                kwargs["headers"] = {"X-CSRFToken": self.http.cookies.get("csrftoken", "")}
            try:
                response = self.http.request(method, url, **kwargs)
            except httpx.TransportError:
                self.retries += 1
                time.sleep(0.2)
                continue
            self.statuses[response.status_code] += 1
            return response
        raise AssertionError(f"{method} {url}: no answer after {ATTEMPTS} attempts")

    def enrol(self, page_pk: int, child_pk: int) -> None:
        if "csrftoken" not in self.http.cookies:
            self.send("GET", "/dossiers/")
        opened = self.send("POST", "/dossiers/commencer/", data={"page": page_pk, "child": child_pk})
        assert opened.status_code == 302, opened.text[:500]
        public_id = opened.headers["location"].strip("/").split("/")[1]
        step = self.send("POST", f"/dossiers/{public_id}/etape/0/", data={"remarque": "RAS"})
        # Sent again after the dossier was submitted elsewhere: back to the dossier, not an error.
        assert step.status_code == 302, step.text[:500]
        done = self.send("POST", f"/dossiers/{public_id}/recapitulatif/")
        assert done.status_code == 302, done.text[:500]
        self.done += 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killing_web_workers_mid_submission_loses_and_duplicates_nothing(home, school, director, procedure, tmp_path):
    page = procedure()
    families = []
    for n in range(FAMILIES):
        family = FamilyFactory(name=f"Famille {n}")
        family.schools.add(school)
        parent = confirmed(UserFactory(family=family))
        children = [Child.objects.create(family=family, first_name=f"Enfant{k}", last_name=family.name,
                                         birth_date=dt.date(2019, 1, 1 + k), level="CP") for k in range(CHILDREN)]
        browser = Client()
        browser.force_login(parent)  # a session row in the database, which gunicorn's workers read
        families.append((browser.cookies[settings.SESSION_COOKIE_NAME].value, children))

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="inscrire.settings.base", DJANGO_ENV="development", DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY, ALLOWED_HOSTS="127.0.0.1", DATABASE_URL=database_url(),
        DATA_DIR=str(tmp_path), MEDIA_ROOT=str(tmp_path / "media"), PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        # The queue is a file nobody consumes: the outbox rows are what must be there.
        REDIS_URL="", HUEY_IMMEDIATE="false", LOG_LEVEL="WARNING",
    )
    server = Gunicorn(env, tmp_path / "gunicorn.log")
    try:
        server.wait_ready()
        browsers = [Family(server.base, cookie) for cookie, _children in families]
        failures: list[str] = []

        def work(browser: Family, children: list[Child]) -> None:
            try:
                for child in children:
                    browser.enrol(page.pk, child.pk)
            except Exception as error:  # reported below with the server's log
                failures.append(repr(error))

        threads = [threading.Thread(target=work, args=(browser, children))
                   for browser, (_cookie, children) in zip(browsers, families)]
        for thread in threads:
            thread.start()
        killed, rng = [], random.Random(2026)
        total = FAMILIES * CHILDREN
        for target in (total * 2 * (i + 1) // (3 * KILLS) for i in range(KILLS)):
            # Once both workers are up, kill one when that many dossiers are in, over the first two thirds.
            deadline = time.monotonic() + 120
            while (len(server.workers()) < 2 or sum(b.done for b in browsers) < target) and time.monotonic() < deadline:
                time.sleep(0.01)
            workers = server.workers()
            if workers and any(thread.is_alive() for thread in threads):
                victim = rng.choice(workers)
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
        for thread in threads:
            thread.join(300)
        assert not failures, f"{failures[:3]}\n{server.log()}"
    finally:
        server.stop()

    statuses = sum((browser.statuses for browser in browsers), Counter())
    retries = sum(browser.retries for browser in browsers)
    print(f"\n{FAMILIES * CHILDREN} submissions, {len(killed)} workers killed, {retries} requests sent again, "
          f"answers {dict(statuses)}")
    assert len(killed) == KILLS, "the families finished before every kill"
    assert retries > 0, "no request was interrupted: the kills did not land in the middle of work"
    assert not any(code >= 500 for code in statuses)

    expected = {child.pk for _cookie, children in families for child in children}
    submissions = Submission.objects.filter(page=page)
    assert sorted(submissions.values_list("child_id", flat=True)) == sorted(expected)  # one each
    assert not submissions.exclude(submitted_at__isnull=False).exists()
    dossiers = Dossier.objects.filter(submission__page=page)
    assert dossiers.count() == len(expected)
    assert set(dossiers.values_list("state", flat=True)) == {DossierState.SUBMITTED}
    for dossier in dossiers:
        assert DossierProcess.objects.filter(artifact_object_id=dossier.pk).count() == 1, dossier
        assert DossierEvent.objects.filter(dossier=dossier, action=DossierAction.SUBMITTED).count() == 1, dossier
        sent = Counter(Notification.objects.filter(object_id=str(dossier.pk)).values_list("event", flat=True))
        assert sent == {Event.DOSSIER_SUBMITTED: 1, Event.DOSSIER_SUBMITTED_DIRECTORS: 1}, (dossier, sent)
