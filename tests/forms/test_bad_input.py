"""Bad input: refused with a clear message or a 4xx, never a 500, nothing stored."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from forms.models import Document, Submission
from tests.forms.conftest import PDF, _file, _q, _step, make_page, review_url, start, step_url, upload

STEPS = [
    _step("Un", "", [
        _q("text", "Nom", "nom"),
        _q("multichoice", "Jours", "jours", choices="Lundi\nMardi", required=False),
        _file("Acte", "acte", ""),
    ]),
]


@pytest.fixture
def page(home):
    return make_page(home, STEPS)


@pytest.fixture
def dossier(parent_client, page, children):
    return start(parent_client, page, children[0])


def assert_nothing_stored(dossier):
    before = dict(dossier.answers)
    dossier.refresh_from_db()
    assert dossier.answers == before
    assert not Document.objects.filter(submission=dossier).exists()


@pytest.mark.parametrize("data, message", [
    ({"nom": "A", "inconnu": "x"}, "champ inconnu (« inconnu »)"),
    ({"nom": ["A", "B"]}, "Le champ « nom » a été envoyé plusieurs fois."),
    ({"nom": "A", "jours": ["Lundi", "Lundi"]}, "Le champ « jours » a été envoyé plusieurs fois."),
    ({"nom": "A", "jours": ["Lundi", "Mardi", "Jeudi"]}, "Le champ « jours » a été envoyé plusieurs fois."),
    ({"nom": "A" * 10001}, "Une valeur envoyée est trop longue"),
    ({"nom": "A", "_action": "supprimer"}, "Action inconnue."),
])
def test_malformed_posts_are_refused_whole(parent_client, dossier, data, message):
    response = parent_client.post(step_url(dossier, 0), {**data, "acte": upload("acte.pdf", PDF)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Rien n'a été enregistré." in response.content.decode()
    assert_nothing_stored(dossier)


def test_unexpected_or_duplicated_files_are_refused(parent_client, dossier):
    response = parent_client.post(step_url(dossier, 0), {"nom": "A", "autre": upload("x.pdf", PDF)})
    assert response.status_code == 400 and "document inattendu" in response.content.decode()
    response = parent_client.post(step_url(dossier, 0), {"nom": "A", "acte": [upload("a.pdf", PDF),
                                                                              upload("b.pdf", PDF)]})
    assert response.status_code == 400
    assert_nothing_stored(dossier)


def test_long_text_over_its_limit_is_a_field_error(parent_client, dossier):
    response = parent_client.post(step_url(dossier, 0), {"nom": "A" * 300, "acte": upload("acte.pdf", PDF)})
    assert response.status_code == 200
    assert "au plus 255 caractères" in response.content.decode()


def test_null_character_is_a_field_error(parent_client, dossier):
    response = parent_client.post(step_url(dossier, 0), {"nom": "A\x00B"})
    assert response.status_code == 200 and "Le caractère nul" in response.content.decode()


def test_post_to_a_closed_form_is_refused_and_nothing_stored(parent_client, dossier, page):
    page.closes_at = timezone.now() - dt.timedelta(minutes=1)
    page.save_revision().publish()
    response = parent_client.post(step_url(dossier, 0), {"nom": "A", "acte": upload("acte.pdf", PDF)})
    assert response.status_code == 403
    assert "Ce formulaire est clos" in response.content.decode()
    assert_nothing_stored(dossier)
    assert parent_client.post(review_url(dossier)).status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == "draft"
    # Reading is still fine, and says why.
    assert "pas ouvert en ce moment" in parent_client.get(step_url(dossier, 0)).content.decode()


def test_start_on_a_form_not_yet_open_is_refused(parent_client, home, children):
    page = make_page(home, STEPS, slug="bientot", opens_at=timezone.now() + dt.timedelta(days=3))
    response = parent_client.post("/dossiers/commencer/", {"page": page.pk, "child": children[0].pk})
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_start_for_a_child_of_another_family_is_refused(parent_client, page, other_family):
    _family, child, _user = other_family
    response = parent_client.post("/dossiers/commencer/", {"page": page.pk, "child": child.pk})
    assert response.status_code == 404
    assert not Submission.objects.exists()


@pytest.mark.parametrize("data", [
    {"page": "x", "child": "1"},
    {"child": "1"},
    {"page": "1", "child": "1", "intrus": "1"},
    {"page": ["1", "2"], "child": "1"},
])
def test_start_with_malformed_post(parent_client, page, children, data):
    response = parent_client.post("/dossiers/commencer/", data)
    assert response.status_code in (400, 404)
    assert not Submission.objects.exists()


def test_start_with_a_school_not_offered(parent_client, page, children):
    from tests.factories import SchoolFactory

    elsewhere = SchoolFactory(name="Ailleurs")
    response = parent_client.post("/dossiers/commencer/", {"page": page.pk, "child": children[0].pk,
                                                           "school": elsewhere.pk})
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_another_family_cannot_see_or_post_to_a_dossier(dossier, other_family):
    _family, _child, stranger = other_family
    client = Client()
    client.force_login(stranger)
    for url in (step_url(dossier, 0), review_url(dossier), f"/dossiers/{dossier.public_id}/"):
        assert client.get(url).status_code == 404
    assert client.post(step_url(dossier, 0), {"nom": "pirate"}).status_code == 404
    assert client.post(review_url(dossier)).status_code == 404
    assert_nothing_stored(dossier)
    assert "Léa" not in client.get("/dossiers/").content.decode()


def test_anonymous_is_sent_to_sign_in(dossier):
    response = Client().post(step_url(dossier, 0), {"nom": "x"})
    assert response.status_code == 302 and "/compte/" in response["Location"]
    assert_nothing_stored(dossier)


def test_step_out_of_range_and_submitted_dossier(parent_client, dossier):
    assert parent_client.get(step_url(dossier, 7)).status_code == 404
    Submission.objects.filter(pk=dossier.pk).update(status="submitted")
    response = parent_client.post(step_url(dossier, 0), {"nom": "changé"})
    assert response.status_code == 302 and response["Location"] == f"/dossiers/{dossier.public_id}/"
    assert_nothing_stored(dossier)
