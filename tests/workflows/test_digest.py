"""The directors' morning summary (« Récapitulatif quotidien »): a school
that chose it gets no e-mail per dossier, but one message the next morning
listing the dossiers filed the day before that wait for it — once, however
often the task runs."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Child
from cms.constants import DirectorEmails
from tests.factories import SchoolFactory, UserFactory
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 — fixtures
from workflows import tasks
from workflows.models import Dossier

from .conftest import submit_through_the_form

pytestmark = pytest.mark.django_db


def test_a_school_on_the_morning_summary_gets_one_message_for_yesterdays_dossiers(
    client, procedure, school, director, family, child, parent, smtp, django_capture_on_commit_callbacks
):
    school.director_emails = DirectorEmails.DAILY
    school.save()
    page = procedure(validation_required=True)
    sister = Child.objects.create(family=family, first_name="Inès", last_name="Joseph", birth_date=dt.date(2018, 5, 2))
    late = Child.objects.create(family=family, first_name="Tom", last_name="Joseph", birth_date=dt.date(2019, 6, 1))
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        filed = [submit_through_the_form(client, page, kid) for kid in (child, sister, late)]
    # Filed, the family is told; the director of a « summary » school is not, yet.
    assert [m["To"] for m in smtp.messages()] == [parent.email] * 3

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    at = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(9, 30)))
    Dossier.objects.filter(submission__in=filed[:2]).update(submitted_at=at)  # two filed yesterday, one today
    other_school = SchoolFactory(name="École du Morne", director_emails=DirectorEmails.DAILY)
    other_school.directors.add(UserFactory(director=True))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.dossiers_send_digest.call_local()
        tasks.dossiers_send_digest.call_local()  # a second run the same morning sends nothing more
    digests = [m for m in smtp.messages() if m["To"] == director.email]
    assert len(digests) == 1
    (digest,) = digests
    assert digest["Subject"].strip().startswith("2 nouveaux dossiers pour École du Bourg le ")
    body = digest.get_body(preferencelist=("plain",)).get_content()
    references = [d.reference for d in Dossier.objects.filter(submission__in=filed).order_by("pk")]
    assert references[0] in body and references[1] in body and references[2] not in body
    assert "Léa Joseph" in body and "Inès Joseph" in body and "/cms/dossiers/" in body


def test_a_school_on_each_dossier_gets_no_summary(
    client, procedure, director, child, parent, smtp, django_capture_on_commit_callbacks
):
    page = procedure(validation_required=True)
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_through_the_form(client, page, child)
    assert sorted(m["To"] for m in smtp.messages()) == sorted([parent.email, director.email])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Dossier.objects.filter(submission=submission).update(
        submitted_at=timezone.make_aware(dt.datetime.combine(yesterday, dt.time(10))))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.dossiers_send_digest.call_local()
    assert len(smtp.messages()) == 2
