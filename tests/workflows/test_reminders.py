import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from workflows import services
from workflows.constants import DossierAction
from workflows.models import Dossier

pytestmark = pytest.mark.django_db


def test_a_dossier_waiting_longer_than_the_schools_limit_is_flagged_once(django_capture_on_commit_callbacks):
    school = SchoolFactory(validation_delay_days=5)
    director = UserFactory(director=True)
    school.directors.add(director)
    parent = GuardianFactory()
    old = SubmissionFactory(submitted=True, child__family=parent.family, school=school, submitted_by=parent)
    fresh = SubmissionFactory(submitted=True, child__family=parent.family, school=school, submitted_by=parent)
    with django_capture_on_commit_callbacks(execute=True):
        old_dossier = services.dossier_open(submission=old)
        services.dossier_open(submission=fresh)
    six_days_ago = timezone.now() - dt.timedelta(days=6)
    Dossier.objects.filter(pk=old_dossier.pk).update(submitted_at=six_days_ago, stage_started_at=six_days_ago)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.dossiers_remind_waiting() == 1
        assert services.dossiers_remind_waiting() == 0  # a second run the same day does nothing
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert "6 jours" in mail.outbox[0].subject
    assert old_dossier.events.filter(action=DossierAction.REMINDER).count() == 1

    # Once the limit has passed again, it is flagged again — and so is the
    # other dossier, now late too.
    later = timezone.now() + dt.timedelta(days=5, hours=1)
    assert services.dossiers_remind_waiting(now=later) == 2
    assert old_dossier.events.filter(action=DossierAction.REMINDER).count() == 2
