"""The attestation d'inscription: made by a task after the confirmation
commits, from the editors' text, once, and served to its family only."""

import pytest

from billing import services, tasks
from billing.models import Attestation, AttestationSettings
from tests.factories import FamilyFactory, UserFactory
from workflows.constants import DossierState
from workflows.models import Dossier

from .conftest import pdf_text, submit_through_the_form

pytestmark = pytest.mark.django_db


def test_confirmed_at_once_with_the_editors_text_made_once_and_private(
    client, procedure, child, parent, django_capture_on_commit_callbacks
):
    template = AttestationSettings.load()
    template.title = "Attestation de la commune"
    template.body = "{enfant} ({date_naissance}) est inscrit(e) à {ecole}, {commune}, pour {annee_scolaire}."
    template.save()
    page = procedure(validation_required=False, payment_required=False, attestation_enabled=True)
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_through_the_form(client, page, child)
    dossier = Dossier.objects.get(submission=submission)
    assert dossier.state == DossierState.CONFIRMED
    attestation = Attestation.objects.get(dossier=dossier)

    # Running the task again changes nothing.
    tasks.attestation_generate.call_local(dossier.pk)
    assert services.attestation_generate(dossier_id=dossier.pk) == attestation
    assert Attestation.objects.count() == 1

    response = client.get(f"/paiements/{submission.public_id}/attestation.pdf")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    text = pdf_text(b"".join(response.streaming_content))
    assert "Attestation de la commune" in text
    assert "Léa Joseph (14 mars 2020) est inscrit(e) à École du Bourg, Sainte-Luce" in text

    client.force_login(UserFactory(family=FamilyFactory()))
    assert client.get(f"/paiements/{submission.public_id}/attestation.pdf").status_code == 404


def test_no_attestation_when_the_procedure_has_none(client, procedure, child, parent,
                                                    django_capture_on_commit_callbacks):
    page = procedure(validation_required=False, payment_required=False)
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_through_the_form(client, page, child)
    assert not Attestation.objects.exists()
    assert client.get(f"/paiements/{submission.public_id}/attestation.pdf").status_code == 404
    assert services.attestation_generate(dossier_id=999999) is None
