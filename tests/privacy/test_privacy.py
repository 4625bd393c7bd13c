"""Data kept only as long as it must be: the retention task removes
exactly what is past its period; a family downloads all its data and can
delete its account."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from forms.models import Document, Submission
from privacy.models import RetentionRun
from privacy.services import retention_apply
from tests.factories import GuardianFactory, PASSWORD, SchoolFactory, SubmissionFactory, UserFactory
from workflows import services
from workflows.constants import DossierState
from workflows.models import Dossier

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach(submission, name="acte"):
    document = Document(submission=submission, field_name=name, original_name=f"{name}.pdf",
                        content_type="application/pdf", size=len(PDF))
    document.file.save(f"{name}.pdf", ContentFile(PDF), save=False)
    document.save()
    return document


def dossier_for(parent, school, *, answers=None, submitted_at=None):
    with transaction.atomic():
        submission = SubmissionFactory(submitted=True, child__family=parent.family, school=school,
                                       submitted_by=parent, answers=answers or {"remarque": "Allergie"})
        attach(submission)
        dossier = services.dossier_open(submission=submission)
    if submitted_at:
        Dossier.objects.filter(pk=dossier.pk).update(submitted_at=submitted_at)
        dossier.refresh_from_db()
    return dossier


@pytest.fixture
def people():
    school = SchoolFactory()
    director = UserFactory(director=True)
    school.directors.add(director)
    return school, director, GuardianFactory()


def test_retention_removes_exactly_what_is_past_its_period(people, settings, django_capture_on_commit_callbacks):
    school, director, parent = people
    settings.RETENTION_DOCUMENTS_MONTHS_AFTER_SCHOOL_YEAR = 12
    settings.RETENTION_CLOSED_DOSSIERS_MONTHS = 6
    settings.RETENTION_ABANDONED_DRAFTS_MONTHS = 12
    now = timezone.now()
    two_years_ago = now - dt.timedelta(days=2 * 365 + 30)

    old_confirmed = dossier_for(parent, school, submitted_at=two_years_ago)  # school year long over
    services.dossier_validate(dossier=old_confirmed, by=director)
    current_confirmed = dossier_for(parent, school)  # this school year: documents kept
    services.dossier_validate(dossier=current_confirmed, by=director)
    old_refused = dossier_for(parent, school)
    services.dossier_refuse(dossier=old_refused, by=director, reason="Hors secteur")
    Dossier.objects.filter(pk=old_refused.pk).update(closed_at=now - dt.timedelta(days=200))
    recent_refused = dossier_for(parent, school)
    services.dossier_refuse(dossier=recent_refused, by=director, reason="Doublon")
    open_dossier = dossier_for(parent, school, submitted_at=two_years_ago)  # still open: untouched
    abandoned = SubmissionFactory(child__family=parent.family, school=school)
    Submission.objects.filter(pk=abandoned.pk).update(updated_at=now - dt.timedelta(days=400))
    fresh_draft = SubmissionFactory(child__family=parent.family, school=school)

    with django_capture_on_commit_callbacks(execute=True):
        run = retention_apply(now=now)

    assert (run.documents_deleted, run.dossiers_anonymised, run.drafts_deleted) == (2, 1, 1)
    assert not old_confirmed.submission.documents.exists()
    assert current_confirmed.submission.documents.exists()
    assert not old_refused.submission.documents.exists()
    old_refused.submission.refresh_from_db()
    assert old_refused.submission.answers == {}
    assert old_refused.events.get(action="refused").comment == "—"
    recent_refused.submission.refresh_from_db()
    assert recent_refused.submission.answers == {"remarque": "Allergie"}
    assert open_dossier.submission.documents.exists()
    assert not Submission.objects.filter(pk=abandoned.pk).exists()
    assert Submission.objects.filter(pk=fresh_draft.pk).exists()
    assert RetentionRun.objects.get().details  # what was removed is logged

    # Nothing more to remove on a second pass.
    again = retention_apply(now=now)
    assert (again.documents_deleted, again.dossiers_anonymised, again.drafts_deleted) == (0, 0, 0)


def test_a_family_downloads_all_its_data(client, people):
    school, _director, parent = people
    dossier = dossier_for(parent, school)
    client.force_login(parent)
    assert "Télécharger mes données" in client.get("/compte/donnees/").content.decode()
    response = client.get("/compte/donnees/telecharger/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("donnees.json"))
    assert data["famille"]["nom"] == parent.family.name
    assert data["responsables"][0]["email"] == parent.email
    assert data["dossiers"][0]["reference"] == dossier.reference
    assert data["dossiers"][0]["reponses"] == {"remarque": "Allergie"}
    [document_path] = data["dossiers"][0]["documents"]
    assert archive.read(document_path) == PDF


def test_another_family_gets_only_its_own_data(client, people):
    school, _director, parent = people
    dossier_for(parent, school)
    other = GuardianFactory()
    client.force_login(other)
    data = json.loads(zipfile.ZipFile(io.BytesIO(client.get("/compte/donnees/telecharger/").content))
                      .read("donnees.json"))
    assert data["dossiers"] == [] and data["famille"]["nom"] == other.family.name


def test_deleting_the_account_needs_the_password_then_erases_the_family(client, people):
    school, _director, parent = people
    dossier = dossier_for(parent, school)
    client.force_login(parent)
    response = client.post("/compte/donnees/", {"password": "faux", "confirm": "on"})
    assert response.status_code == 400 and "Mot de passe incorrect." in response.content.decode()
    response = client.post("/compte/donnees/", {"password": PASSWORD})
    assert "Cochez la case pour confirmer la suppression." in response.content.decode()

    response = client.post("/compte/donnees/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWN  # the school is not left waiting
    assert dossier.submission.answers == {} and not dossier.submission.documents.exists()
    parent.refresh_from_db()
    assert not parent.is_active and parent.email.endswith("@invalid.invalid")
    assert parent.family.name == "—"
    assert not parent.family.children.exclude(first_name="—").exists()
    assert not client.login(username=parent.email, password=PASSWORD)
