"""The director's workspace: dashboard count, filters and search, bulk
validation, documents shown inline and every read audited."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from forms.models import Document
from tests.factories import GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from workflows import services
from workflows.constants import DossierAction, DossierState

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(client):
    school = SchoolFactory()
    director = UserFactory(director=True)
    school.directors.add(director)
    parent = GuardianFactory(family__name="Célestine")
    dossiers = []
    for first_name, level in [("Léa", "PS"), ("Noé", "CP"), ("Inès", "CP")]:
        with transaction.atomic():
            submission = SubmissionFactory(
                submitted=True, child__family=parent.family, child__first_name=first_name, child__level=level,
                school=school, submitted_by=parent,
            )
            dossiers.append(services.dossier_open(submission=submission))
    client.force_login(director)
    return director, dossiers


def test_dashboard_shows_what_is_waiting(client, setup):
    html = client.get("/cms/").content.decode()
    assert "3 dossiers attendent votre décision." in html


def test_dashboard_leads_directors_to_their_inbox_without_page_search_or_gravatar(client, setup):
    director, dossiers = setup
    services.dossier_take_charge(dossier=dossiers[0], by=director)
    services.dossier_request_correction(dossier=dossiers[1], by=director, message="Il manque l'acte de naissance.")
    html = client.get("/cms/").content.decode()
    assert "Ce qui vous attend" in html
    assert "2 dossiers attendent votre décision." in html
    assert 'href="/cms/dossiers/?onglet=a-traiter"' in html
    assert "1 dossier en attente de compléments de la famille." in html
    assert 'href="/cms/dossiers/?state=correction"' in html
    assert 'href="/cms/dossiers/?onglet=suivis"' in html
    assert "1 dossier suivi par vous, en cours." in html
    # Nothing for pages a director cannot edit: no « Search all pages » box, no page summary.
    assert 'role="search"' not in html.split('id="main"')[-1]
    assert "/cms/pages/" not in html.split('id="main"')[-1]
    # No avatar fetched from gravatar (blocked by the content security policy anyway).
    assert "gravatar" not in html
    # Each link opens its tab.
    listing = client.get("/cms/dossiers/?onglet=a-traiter").content.decode()
    assert dossiers[0].reference in listing and dossiers[1].reference not in listing


def test_editors_keep_the_page_search(client, setup):
    client.force_login(UserFactory(editor=True, is_staff=True))
    html = client.get("/cms/").content.decode()
    assert 'role="search"' in html and "gravatar" not in html


def test_filters_and_search(client, setup):
    _director, dossiers = setup
    html = client.get("/cms/dossiers/?level=CP").content.decode()
    assert "Noé" in html and "Inès" in html and "Léa" not in html
    html = client.get("/cms/dossiers/?q=noé").content.decode()
    assert "Noé" in html and "Inès" not in html
    html = client.get("/cms/dossiers/?q=célestine").content.decode()
    assert all(d.reference in html for d in dossiers)
    html = client.get("/cms/dossiers/?submitted_from=not-a-date").content.decode()
    assert "Saisissez une date valide." in html


def test_validate_several_at_once(client, setup):
    director, dossiers = setup
    services.dossier_refuse(dossier=dossiers[2], by=director, reason="Doublon")
    response = client.post(
        "/cms/dossiers/valider/", {"dossier": [d.pk for d in dossiers], "query": "state=submitted"}, follow=True
    )
    html = response.content.decode()
    assert "2 dossiers validés." in html
    assert "déjà été traité" in html
    states = [d.state for d in type(dossiers[0]).objects.filter(pk__in=[d.pk for d in dossiers]).order_by("pk")]
    assert states == [DossierState.CONFIRMED, DossierState.CONFIRMED, DossierState.REFUSED]


def test_documents_are_shown_inline_and_every_read_is_audited(client, setup):
    director, dossiers = setup
    dossier = dossiers[0]
    document = Document(
        submission=dossier.submission, field_name="acte", original_name="acte-naissance.pdf",
        content_type="application/pdf", size=len(PDF),
    )
    document.file.save("acte.pdf", ContentFile(PDF), save=False)
    document.save()

    html = client.get(f"/cms/dossiers/{dossier.pk}/").content.decode()
    url = f"/dossiers/documents/{document.public_id}/"  # the one path for every document
    assert f'<iframe src="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    download = client.get(url + "?telecharger=1")
    assert download["Content-Disposition"].startswith("attachment")

    reads = dossier.events.filter(action__in=[DossierAction.VIEWED, DossierAction.DOCUMENT_VIEWED])
    assert [(e.action, e.actor, e.document_name) for e in reads] == [
        (DossierAction.VIEWED, director, ""),
        (DossierAction.DOCUMENT_VIEWED, director, "acte-naissance.pdf"),
        (DossierAction.DOCUMENT_VIEWED, director, "acte-naissance.pdf"),
    ]
    # The history on the dossier page says who read what, and when.
    html = client.get(f"/cms/dossiers/{dossier.pk}/").content.decode()
    assert "Document consulté : acte-naissance.pdf" in html


def test_messages_between_school_and_family(client, setup):
    director, dossiers = setup
    dossier = dossiers[0]
    response = client.post(f"/cms/dossiers/{dossier.pk}/message/", {"message-body": ""})
    assert response.status_code == 400 and "Champ requis." in response.content.decode()
    client.post(f"/cms/dossiers/{dossier.pk}/message/", {"message-body": "Merci d'apporter le carnet."})
    parent = dossier.family.guardians.get()
    client.force_login(parent)
    url = f"/dossiers/{dossier.submission.public_id}/suivi/"
    assert "Merci d&#39;apporter le carnet." in client.get(url).content.decode()
    client.post(url, {"body": "Ce sera fait lundi."})
    client.force_login(director)
    assert "Ce sera fait lundi." in client.get(f"/cms/dossiers/{dossier.pk}/").content.decode()
