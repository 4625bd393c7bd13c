"""Two directors deciding the same dossier at the same moment, each on its
own database connection: exactly one decision is recorded, the other is
told the dossier was already decided. Runs on SQLite (IMMEDIATE
transactions serialise writers) and on PostgreSQL (SELECT … FOR UPDATE on
the process row), whichever DATABASE_URL names."""

import os
import threading

import pytest
from django.db import connection, transaction
from viewflow.workflow.status import STATUS

from tests.factories import GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from workflows import services
from workflows.constants import DossierAction, DossierState

# CI's PostgreSQL pass runs 200 trials of each race; a local run, a few.
TRIALS = int(os.environ.get("CONCURRENCY_TRIALS", "15"))


def race(*actions):
    """Run the actions in threads released together; returns their outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes[index] = "done"
        except services.DossierAlreadyDecided:
            outcomes[index] = "already decided"
        except Exception as error:  # pragma: no cover — reported by the assertion
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_decisions_record_exactly_one():
    school = SchoolFactory()
    first, second = UserFactory(director=True), UserFactory(director=True)
    school.directors.add(first, second)
    parent = GuardianFactory()
    for _ in range(TRIALS):
        with transaction.atomic():
            submission = SubmissionFactory(
                submitted=True, child__family=parent.family, school=school, submitted_by=parent
            )
            dossier = services.dossier_open(submission=submission)

        outcomes = race(
            lambda: services.dossier_validate(dossier=dossier, by=first),
            lambda: services.dossier_refuse(dossier=dossier, by=second, reason="Hors secteur"),
        )

        assert sorted(outcomes) == ["already decided", "done"], outcomes
        dossier.refresh_from_db()
        decisions = dossier.events.filter(action__in=[DossierAction.VALIDATED, DossierAction.REFUSED])
        assert decisions.count() == 1
        expected = DossierState.CONFIRMED if decisions.get().action == DossierAction.VALIDATED else DossierState.REFUSED
        assert dossier.state == expected
        process = services.dossier_process(dossier)
        assert process.task_set.filter(flow_task_type="FUNCTION", status=STATUS.DONE).count() >= 1
        assert not process.task_set.exclude(status__in=[STATUS.DONE, STATUS.CANCELED]).exists()


@pytest.mark.django_db(transaction=True)
def test_withdrawal_racing_a_validation_ends_in_one_consistent_state():
    school = SchoolFactory()
    director = UserFactory(director=True)
    school.directors.add(director)
    parent = GuardianFactory()
    for _ in range(TRIALS):
        with transaction.atomic():
            submission = SubmissionFactory(
                submitted=True, child__family=parent.family, school=school, submitted_by=parent
            )
            dossier = services.dossier_open(submission=submission)
        outcomes = race(
            lambda: services.dossier_validate(dossier=dossier, by=director),
            lambda: services.dossier_withdraw(dossier=dossier, by=parent),
        )
        dossier.refresh_from_db()
        assert sorted(outcomes) == ["already decided", "done"], outcomes
        assert dossier.state in {DossierState.CONFIRMED, DossierState.WITHDRAWN}
        assert dossier.events.filter(action__in=[DossierAction.VALIDATED, DossierAction.WITHDRAWN]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_submission_opens_exactly_one_dossier(procedure, parent, family, director):
    """A double click, or a replayed POST: two submissions of the same draft
    at once give one dossier, one process, one message per person."""
    import datetime as dt

    from accounts.models import Child
    from forms.models import Submission
    from forms.services import SubmissionError, submission_start, submission_submit
    from notifications.models import Notification
    from workflows.models import Dossier

    page = procedure()
    school = page.schools.get()
    for number in range(TRIALS):
        child = Child.objects.create(family=family, first_name=f"Enfant{number}", last_name="Joseph",
                                     birth_date=dt.date(2020, 1, 1))
        submission = submission_start(page=page, child=child, school=school, by=parent)
        Submission.objects.filter(pk=submission.pk).update(answers={"remarque": "RAS"})

        def submit(submission_id=submission.pk):
            try:
                submission_submit(submission=Submission.objects.get(pk=submission_id), by=parent)
            except SubmissionError:
                raise services.DossierAlreadyDecided("already submitted") from None

        outcomes = race(submit, submit)
        assert sorted(outcomes) == ["already decided", "done"], outcomes
        dossier = Dossier.objects.get(submission_id=submission.pk)
        assert services.dossier_process(dossier).task_set.filter(flow_task_type="HUMAN").count() == 0
        assert Notification.objects.filter(object_id=str(dossier.pk), recipient=parent.email).count() == 1
        assert Notification.objects.filter(object_id=str(dossier.pk), recipient=director.email).count() == 1
