"""The whole path through HTTP: the family submits through the form, the
director asks for corrections, the family corrects and resubmits, the
director validates — and the simpler procedures built in the CMS."""

import pytest
from viewflow.workflow.status import PROCESS, STATUS

from workflows import services
from workflows.constants import DossierAction, DossierState
from workflows.models import Dossier

from .conftest import review_url, step_url, submit_through_the_form

pytestmark = pytest.mark.django_db


def open_tasks(dossier):
    return sorted(
        t.flow_task.name
        for t in services.dossier_process(dossier).task_set.exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
    )


def test_enrolment_with_corrections_then_payment(client, procedure, child, parent, director):
    page = procedure(payment_required=True)
    client.force_login(parent)
    submission = submit_through_the_form(client, page, child)
    dossier = Dossier.objects.get(submission=submission)
    assert dossier.state == DossierState.SUBMITTED and open_tasks(dossier) == ["review"]

    # The family's « Mes dossiers » page links to the follow-up page.
    follow = f"/dossiers/{submission.public_id}/suivi/"
    assert "Déposé, en attente de validation" in client.get(follow).content.decode()

    # The director finds it in the workspace and asks for a correction.
    client.force_login(director)
    listing = client.get("/cms/dossiers/?state=submitted").content.decode()
    assert dossier.reference in listing and "Léa" in listing
    page_html = client.get(f"/cms/dossiers/{dossier.pk}/").content.decode()
    assert "RAS" in page_html  # the answer, laid out as the form
    response = client.post(
        f"/cms/dossiers/{dossier.pk}/decision/correct/", {"correct-comment": "Précisez la remarque."}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CORRECTION and open_tasks(dossier) == ["correct"]

    # The family reads the request, corrects through the form and resubmits.
    client.force_login(parent)
    html = client.get(follow).content.decode()
    assert "Précisez la remarque." in html and "Corriger le dossier" in html
    assert client.post(step_url(submission, 0), {"remarque": "Allergie aux arachides"}).status_code == 302
    assert client.post(review_url(submission)).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED and open_tasks(dossier) == ["review"]
    assert Dossier.objects.filter(submission=submission).count() == 1

    # The director validates; the dossier now waits for payment.
    client.force_login(director)
    assert client.post(f"/cms/dossiers/{dossier.pk}/decision/validate/", {"validate-comment": ""}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.AWAITING_PAYMENT and open_tasks(dossier) == ["await_payment"]

    history = [e.action for e in dossier.events.exclude(action__in=[DossierAction.VIEWED])]
    assert history == [
        DossierAction.SUBMITTED,
        DossierAction.CORRECTION_REQUESTED,
        DossierAction.RESUBMITTED,
        DossierAction.VALIDATED,
    ]
    viewed = dossier.events.filter(action=DossierAction.VIEWED)
    assert viewed.count() == 1 and viewed.get().actor == director


def test_after_school_procedure_without_validation_or_payment_is_confirmed_at_once(
    client, procedure, child, parent
):
    page = procedure(validation_required=False, payment_required=False)
    client.force_login(parent)
    submission = submit_through_the_form(client, page, child)
    dossier = Dossier.objects.get(submission=submission)
    assert dossier.state == DossierState.CONFIRMED
    assert services.dossier_process(dossier).status == PROCESS.DONE
    assert "Confirmé" in client.get(f"/dossiers/{submission.public_id}/suivi/").content.decode()


def test_procedure_without_validation_but_with_payment_waits_for_payment(client, procedure, child, parent):
    page = procedure(validation_required=False, payment_required=True)
    client.force_login(parent)
    dossier = Dossier.objects.get(submission=submit_through_the_form(client, page, child))
    assert dossier.state == DossierState.AWAITING_PAYMENT and open_tasks(dossier) == ["await_payment"]


def test_corrections_can_be_switched_off(client, procedure, child, parent, director):
    page = procedure(corrections_allowed=False)
    client.force_login(parent)
    dossier = Dossier.objects.get(submission=submit_through_the_form(client, page, child))
    client.force_login(director)
    assert "Demander des compléments" not in client.get(f"/cms/dossiers/{dossier.pk}/").content.decode()
    response = client.post(f"/cms/dossiers/{dossier.pk}/decision/correct/", {"correct-comment": "x"}, follow=True)
    assert "Cette étape ne prévoit pas cette décision." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
