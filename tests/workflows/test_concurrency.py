"""Two directors deciding the same dossier at the same moment, each on its
own database connection: exactly one decision is recorded, the other is
told the dossier was already decided. Runs on SQLite (IMMEDIATE
transactions serialise writers) and on PostgreSQL (SELECT … FOR UPDATE on
the process row), whichever DATABASE_URL names."""

import threading

import pytest
from django.db import connection, transaction
from viewflow.workflow.status import STATUS

from tests.factories import GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from workflows import services
from workflows.constants import DossierAction, DossierState

TRIALS = 15


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
