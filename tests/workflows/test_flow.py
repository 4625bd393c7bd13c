"""The dossier workflow driven through HTTP, as the director and as the
family, checking the process, its tasks and the history at each step."""

import pytest
from django.core import mail
from viewflow.workflow.status import PROCESS, STATUS

from tests.factories import GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from workflows import services
from workflows.constants import DossierAction, DossierState
from workflows.flows import DossierFlow
from workflows.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def director(school):
    user = UserFactory(director=True)
    school.directors.add(user)
    return user


@pytest.fixture
def parent():
    return GuardianFactory()


def submit(parent, school, **flags) -> Dossier:
    from django.db import transaction

    submission = SubmissionFactory(
        submitted=True, child__family=parent.family, school=school, submitted_by=parent
    )
    with transaction.atomic():
        dossier = services.dossier_open(submission=submission)
    for name, value in flags.items():
        setattr(dossier, name, value)
    return dossier


def active_tasks(dossier):
    process = services.dossier_process(dossier)
    return [t.flow_task.name for t in process.task_set.exclude(status__in=[STATUS.DONE, STATUS.CANCELED])]


def actions(dossier):
    return [e.action for e in dossier.events.exclude(action__in=[DossierAction.VIEWED, DossierAction.DOCUMENT_VIEWED])]


def test_submission_starts_a_process_waiting_for_validation(parent, school, director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit(parent, school)
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.reference
    assert active_tasks(dossier) == ["review"]
    assert services.dossier_process(dossier).status == PROCESS.NEW
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([parent.email, director.email])


def test_refusal_needs_a_reason_and_ends_the_process(client, parent, school, director):
    dossier = submit(parent, school)
    client.force_login(director)
    response = client.post(f"/cms/dossiers/{dossier.pk}/decision/refuse/", {"refuse-comment": "  "})
    assert response.status_code == 400
    assert "Indiquez le motif du refus" in response.content.decode()

    response = client.post(f"/cms/dossiers/{dossier.pk}/decision/refuse/", {"refuse-comment": "Hors secteur."})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REFUSED
    assert services.dossier_process(dossier).status == PROCESS.DONE
    assert dossier.events.get(action=DossierAction.REFUSED).comment == "Hors secteur."


def test_validation_with_a_payment_stage_waits_for_payment(client, parent, school, director):
    dossier = submit(parent, school)
    stages = dossier.stages + [{"kind": "payment", "title": "Paiement", "condition": None, "services": ["canteen"]}]
    Dossier.objects.filter(pk=dossier.pk).update(payment_required=True, stages=stages)
    client.force_login(director)
    client.post(f"/cms/dossiers/{dossier.pk}/decision/validate/", {"validate-comment": "Bienvenue"})
    dossier.refresh_from_db()
    assert dossier.state == DossierState.AWAITING_PAYMENT
    assert active_tasks(dossier) == ["await_payment"]

    services.dossier_payment_settled(dossier=dossier, by=director)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CONFIRMED
    assert services.dossier_process(dossier).status == PROCESS.DONE


def test_family_withdraws_before_confirmation(client, parent, school, director):
    dossier = submit(parent, school)
    client.force_login(parent)
    url = f"/dossiers/{dossier.submission.public_id}/retirer/"
    response = client.post(url, {"reason": "Déménagement"})
    assert response.status_code == 400
    assert "Cochez la case pour confirmer le retrait." in response.content.decode()

    response = client.post(url, {"reason": "Déménagement", "confirm": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWN
    assert services.dossier_process(dossier).status == PROCESS.CANCELED
    assert active_tasks(dossier) == []

    # A director's late decision is refused clearly.
    client.force_login(director)
    response = client.post(f"/cms/dossiers/{dossier.pk}/decision/validate/", {"validate-comment": ""}, follow=True)
    assert "Ce dossier a déjà été traité" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWN


def test_a_second_decision_is_told_the_dossier_was_already_decided(client, parent, school, director):
    other_director = UserFactory(director=True)
    school.directors.add(other_director)
    dossier = submit(parent, school)
    client.force_login(director)
    client.post(f"/cms/dossiers/{dossier.pk}/decision/validate/", {"validate-comment": ""})
    client.force_login(other_director)
    response = client.post(f"/cms/dossiers/{dossier.pk}/decision/refuse/", {"refuse-comment": "Non"}, follow=True)
    assert "Ce dossier a déjà été traité" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CONFIRMED
    assert dossier.events.filter(action__in=[DossierAction.VALIDATED, DossierAction.REFUSED]).count() == 1


def test_flow_lock_is_chosen_deliberately():
    from viewflow.workflow.lock import SelectForUpdateLock

    assert isinstance(DossierFlow.lock_impl, SelectForUpdateLock)
