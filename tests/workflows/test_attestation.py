"""The attestation d'inscription: made by a task after the confirmation
commits, from the editors' text, once, served to its family only, and sent
attached to the confirmation e-mail (by the task, or by the sweep when the
task was lost)."""

from datetime import date

import pytest

from accounts.models import Child
from tests.factories import FamilyFactory, UserFactory
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 — fixtures
from workflows import services, tasks
from workflows.constants import DossierState
from workflows.models import Attestation, AttestationSettings, Dossier

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
    tasks.dossier_confirmation_send.call_local(dossier.pk)
    assert services.attestation_make(dossier=dossier) == attestation
    assert Attestation.objects.count() == 1

    response = client.get(f"/dossiers/{submission.public_id}/attestation.pdf")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    text = pdf_text(b"".join(response.streaming_content))
    assert "Attestation de la commune" in text
    assert "Léa Joseph (14 mars 2020) est inscrit(e) à École du Bourg, Sainte-Luce" in text

    client.force_login(UserFactory(family=FamilyFactory()))
    assert client.get(f"/dossiers/{submission.public_id}/attestation.pdf").status_code == 404


def test_no_attestation_when_the_procedure_has_none(client, procedure, child, parent,
                                                    django_capture_on_commit_callbacks):
    page = procedure(validation_required=False, payment_required=False)
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_through_the_form(client, page, child)
    assert not Attestation.objects.exists()
    assert client.get(f"/dossiers/{submission.public_id}/attestation.pdf").status_code == 404
    assert services.dossier_confirmation_send(dossier_id=999999) is None


def _confirmations(dossier):
    from notifications.constants import Event
    from notifications.models import Notification

    return Notification.objects.filter(event=Event.DOSSIER_CONFIRMED, object_id=str(dossier.pk))


def test_the_confirmation_email_carries_the_attestation(
    client, procedure, child, parent, smtp, django_capture_on_commit_callbacks
):
    """Confirmed on submission: the task makes the attestation, then the
    confirmation goes out over SMTP with the PDF attached."""
    page = procedure(validation_required=False, payment_required=False, attestation_enabled=True)
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_through_the_form(client, page, child)
    dossier = Dossier.objects.get(submission=submission)
    (message,) = [m for m in smtp.messages() if "confirmée" in m["Subject"]]
    assert message["To"] == parent.email
    assert "en pièce jointe" in message.get_body(preferencelist=("plain",)).get_content()
    (attached,) = list(message.iter_attachments())
    assert attached.get_filename() == f"attestation-{dossier.reference}.pdf"
    assert "Léa Joseph" in pdf_text(attached.get_content())
    # The task run again sends nothing more.
    tasks.dossier_confirmation_send.call_local(dossier.pk)
    assert _confirmations(dossier).count() == 1
    dossier.refresh_from_db()
    assert dossier.confirmation_notified_at is not None


def test_without_attestation_the_confirmation_goes_at_once_and_promises_none(
    client, procedure, child, parent, smtp, django_capture_on_commit_callbacks
):
    page = procedure(validation_required=False, payment_required=False)
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        submit_through_the_form(client, page, child)
    (message,) = [m for m in smtp.messages() if "confirmée" in m["Subject"]]
    assert not list(message.iter_attachments())
    assert "pièce jointe" not in message.get_body(preferencelist=("plain",)).get_content()


def test_the_sweep_sends_what_a_lost_task_left(client, procedure, child, parent, monkeypatch):
    """The attestation task never ran (lost with its consumer): a quarter of
    an hour later the sweep makes the attestation and sends the
    confirmation with it; when the attestation cannot be made, the
    confirmation goes without it. Nothing is sent twice."""
    from datetime import timedelta

    from django.utils import timezone

    page = procedure(validation_required=False, payment_required=False, attestation_enabled=True)
    client.force_login(parent)
    submission = submit_through_the_form(client, page, child)  # the commit's tasks never run here
    dossier = Dossier.objects.get(submission=submission)
    assert dossier.state == DossierState.CONFIRMED and not _confirmations(dossier).exists()
    assert services.dossier_confirmations_sweep() == []  # too recent: the task may still come
    Dossier.objects.filter(pk=dossier.pk).update(confirmed_at=timezone.now() - timedelta(minutes=20))

    assert services.dossier_confirmations_sweep() == [dossier.pk]
    (confirmation,) = _confirmations(dossier)
    assert Attestation.objects.filter(dossier=dossier).exists()
    assert [a.filename for a in confirmation.attachments.all()] == [f"attestation-{dossier.reference}.pdf"]
    assert services.dossier_confirmations_sweep() == []

    # Another child's attestation cannot be made (the PDF fails): told all the same.
    other = Child.objects.create(family=parent.family, first_name="Noé", last_name="Joseph",
                                 birth_date=date(2019, 2, 3))
    second = submit_through_the_form(client, procedure(validation_required=False, payment_required=False,
                                                        attestation_enabled=True), other)
    dossier = Dossier.objects.get(submission=second)
    Dossier.objects.filter(pk=dossier.pk).update(confirmed_at=timezone.now() - timedelta(minutes=20))

    def broken(**kwargs):
        raise RuntimeError("police de caractères introuvable")

    monkeypatch.setattr("workflows.services.attestation_pdf", broken)
    assert services.dossier_confirmations_sweep() == [dossier.pk]
    (confirmation,) = _confirmations(dossier)
    assert not confirmation.attachments.exists() and "pièce jointe" not in confirmation.body_text
    assert not Attestation.objects.filter(dossier=dossier).exists()
