"""Documents: checked by content, limits named, names sanitised, kept on
private storage with the draft, served only to the family and the school's
directors."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from forms.models import Document
from tests.factories import UserFactory
from tests.forms.conftest import JPEG, PDF, PNG, _file, _q, _step, make_page, review_url, start, step_url, upload

STEPS = [
    _step("Documents", "", [
        _q("text", "Commentaire", "commentaire"),
        {"type": "file", "value": {**_file("Acte de naissance", "acte", "")["value"],
                                   "allowed_types": ["pdf", "png"], "max_size_mb": 1}},
        {"type": "file", "value": {**_file("Photo", "photo", "")["value"], "allowed_types": ["jpg"],
                                   "required": False}},
    ]),
]


@pytest.fixture
def dossier(parent_client, home, children, school):
    dossier = start(parent_client, make_page(home, STEPS), children[0])
    assert dossier.school == school
    return dossier


def post(client, dossier, **data):
    return client.post(step_url(dossier, 0), {"commentaire": "ok", **data})


def test_accepted_document_is_stored_privately_and_answer_points_to_it(parent_client, dossier):
    response = post(parent_client, dossier, acte=upload("acte.pdf", PDF))
    assert response.status_code == 302
    document = Document.objects.get(submission=dossier)
    dossier.refresh_from_db()
    assert dossier.answers["acte"] == document.pk
    assert document.original_name == "acte.pdf" and document.content_type == "application/pdf"
    path = Path(document.file.path)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "acte" not in path.name  # stored under a random name
    assert path.read_bytes() == PDF


def test_too_big_is_refused_naming_the_limit(parent_client, dossier):
    response = post(parent_client, dossier, acte=upload("gros.pdf", PDF + b"0" * (1024 * 1024 + 10)))
    assert response.status_code == 200
    assert "la taille maximale est de 1 Mo" in response.content.decode()
    assert not Document.objects.exists()


def test_type_not_allowed_is_refused_naming_the_types(parent_client, dossier):
    response = post(parent_client, dossier, acte=upload("photo.jpg", JPEG))
    html = response.content.decode()
    assert "Ce type de fichier n&#39;est pas accepté : joignez un fichier PDF ou PNG (1 Mo au plus)." in html
    assert not Document.objects.exists()


@pytest.mark.parametrize("name, content", [
    ("acte.pdf", PNG),                       # a PNG called .pdf
    ("acte.png", b"MZ\x90\x00" + b"\x00" * 200),  # an executable called .png
    ("acte.pdf", b"just some text, not a PDF"),
])
def test_content_not_matching_declared_type_is_refused(parent_client, dossier, name, content):
    response = post(parent_client, dossier, acte=upload(name, content))
    assert "Le contenu de ce fichier ne correspond pas à un fichier" in response.content.decode()
    assert not Document.objects.exists()


def test_empty_file_is_refused(parent_client, dossier):
    response = post(parent_client, dossier, acte=upload("vide.pdf", b""))
    assert response.status_code == 200 and "Le fichier soumis est vide." in response.content.decode()


def test_names_are_sanitised(parent_client, dossier):
    post(parent_client, dossier, acte=upload('../../etc/Acte de naissance "été"<script>.PDF', PDF))
    document = Document.objects.get()
    assert document.original_name == "Acte_de_naissance_etescript.pdf"
    assert "/" not in document.original_name and ".." not in document.file.name


def test_accepted_document_stays_attached_when_another_answer_is_refused(parent_client, dossier):
    response = parent_client.post(step_url(dossier, 0), {"commentaire": "", "acte": upload("acte.pdf", PDF)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce champ est obligatoire." in html and "Document joint" in html and "acte.pdf" in html
    # Sent again without the file: the document is still there and counts.
    response = parent_client.post(step_url(dossier, 0), {"commentaire": "ok"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.answers["acte"] == Document.objects.get().pk


def test_required_document_missing(parent_client, dossier):
    response = post(parent_client, dossier)
    assert "Joignez ce document." in response.content.decode()
    # What a browser sends for an empty file input: an empty form value.
    response = post(parent_client, dossier, acte="", photo="")
    assert response.status_code == 200 and "Joignez ce document." in response.content.decode()


def test_empty_optional_file_input_as_browsers_send_it(parent_client, dossier):
    post(parent_client, dossier, acte=upload("acte.pdf", PDF), photo="")
    dossier.refresh_from_db()
    assert set(dossier.answers) == {"commentaire", "acte"}


def test_replace_and_remove_a_document(parent_client, dossier, django_capture_on_commit_callbacks):
    post(parent_client, dossier, acte=upload("a.pdf", PDF))
    first = Document.objects.get()
    first_path = Path(first.file.path)
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes once the row is gone
        post(parent_client, dossier, acte=upload("b.png", PNG))
    second = Document.objects.get()
    assert second.pk != first.pk and second.original_name == "b.png"
    assert not first_path.exists()
    # Removing a required document with « Continuer » is refused…
    response = post(parent_client, dossier, acte__clear="1")
    assert "Joignez ce document." in response.content.decode()
    # …but allowed in a draft.
    response = post(parent_client, dossier, acte__clear="1", _action="save")
    assert response.status_code == 302
    assert not Document.objects.exists()


def test_document_stays_with_the_draft(parent_client, dossier, parent):
    post(parent_client, dossier, acte=upload("acte.pdf", PDF), _action="save")
    other = Client()
    other.force_login(parent)
    html = other.get(step_url(dossier, 0)).content.decode()
    assert "Document joint" in html and "acte.pdf" in html


def test_download_for_the_family(parent_client, dossier):
    post(parent_client, dossier, acte=upload("acte.pdf", PDF))
    document = Document.objects.get()
    response = parent_client.get(f"/dossiers/documents/{document.public_id}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="acte.pdf"'
    assert b"".join(response.streaming_content) == PDF
    response = parent_client.get(f"/dossiers/documents/{document.public_id}/?telecharger=1")
    assert response["Content-Disposition"] == 'attachment; filename="acte.pdf"'


def test_download_refused_to_others_and_allowed_to_the_school_directors_once_submitted(
        parent_client, dossier, other_family, school):
    """One path, one rule (``workflows.selectors.document_for``): the family
    always; staff only for a dossier they may see — never a draft's — and
    each staff read is in the dossier's history."""
    from workflows.constants import DossierAction
    from workflows.models import Dossier

    post(parent_client, dossier, acte=upload("acte.pdf", PDF))
    document = Document.objects.get()
    url = f"/dossiers/documents/{document.public_id}/"
    _family, _child, stranger = other_family
    client = Client()
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    director = UserFactory(director=True)
    client.force_login(director)
    assert client.get(url).status_code == 404  # a director, but not of this school
    school.directors.add(director)
    assert client.get(url).status_code == 404  # of the school, but the dossier is a draft
    assert parent_client.post(review_url(dossier)).status_code == 302
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    read = Dossier.objects.get(submission=dossier).events.get(action=DossierAction.DOCUMENT_VIEWED)
    assert read.actor == director and read.document_name == "acte.pdf"
    assert parent_client.get(url).status_code == 200
    assert Dossier.objects.get(submission=dossier).events.filter(action=DossierAction.DOCUMENT_VIEWED).count() == 1
    anonymous = Client()
    response = anonymous.get(url)
    assert response.status_code == 302 and "/compte/" in response["Location"]
