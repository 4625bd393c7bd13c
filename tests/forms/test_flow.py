"""Conditions, steps with a progress bar, repeated groups and drafts."""

import pytest

from forms.models import Submission
from tests.forms.conftest import _heading, _q, _step, _when, make_page, review_url, start, step_url

HEALTH = [
    _step("Santé", "", [
        _q("yesno", "Allergies ?", "allergies"),
        _heading("Détail", condition=_when("allergies")),
        _q("textarea", "Lesquelles ?", "allergies_detail", condition=_when("allergies")),
        _q("text", "Médecin", "medecin", required=False),
    ]),
    _step("Cantine", "", [
        _q("yesno", "Cantine ?", "cantine"),
        _q("multichoice", "Jours", "jours", choices="Lundi\nMardi", condition=_when("cantine")),
    ]),
    {"type": "step", "value": {
        "title": "PAI", "intro": "", "condition": _when("allergies"),
        "fields": [_q("text", "Référence du PAI", "pai")],
    }},
    _step("Personnes", "", [
        {"type": "group", "value": {
            "label": "Personnes autorisées", "name": "personnes", "help_text": "", "item_label": "Personne",
            "min_count": 1, "max_count": 3, "condition": {"match": "all", "clauses": []},
            "fields": [_q("text", "Nom", "nom"), _q("phone", "Téléphone", "telephone"),
                       _q("text", "Lien", "lien", required=False)],
        }},
    ]),
]


@pytest.fixture
def dossier(parent_client, home, children):
    return start(parent_client, make_page(home, HEALTH), children[0])


def test_condition_hides_field_server_side_not_required_not_stored(parent_client, dossier):
    # « non »: the detail is neither required nor stored, even when sent.
    response = parent_client.post(step_url(dossier, 0), {"allergies": "non", "allergies_detail": "arachide"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.answers == {"allergies": False}
    # « oui »: it becomes required…
    response = parent_client.post(step_url(dossier, 0), {"allergies": "oui", "allergies_detail": ""})
    assert response.status_code == 200 and "Ce champ est obligatoire." in response.content.decode()
    # …and kept.
    parent_client.post(step_url(dossier, 0), {"allergies": "oui", "allergies_detail": "Arachide"})
    dossier.refresh_from_db()
    assert dossier.answers == {"allergies": True, "allergies_detail": "Arachide"}


def test_condition_is_sent_to_the_browser_and_applied_to_the_first_render(parent_client, dossier):
    import re

    def detail_wrapper(html):
        return re.search(r'<div class="dossier-item dossier-item--textarea"[^>]*>', html).group(0)

    html = parent_client.get(step_url(dossier, 0)).content.decode()
    assert "data-condition=" in detail_wrapper(html) and "allergies" in detail_wrapper(html)
    assert " hidden" in detail_wrapper(html)
    assert "forms/dossier.js" in html
    parent_client.post(step_url(dossier, 0), {"allergies": "oui", "_action": "save"})
    assert " hidden" not in detail_wrapper(parent_client.get(step_url(dossier, 0)).content.decode())
    # A refused POST shows what was chosen in it.
    response = parent_client.post(step_url(dossier, 0), {"allergies": "non", "medecin": "x" * 300})
    assert " hidden" in detail_wrapper(response.content.decode())
    assert 'aria-invalid="true"' in response.content.decode()
    # The error is named by the field, and is there under that id.
    assert re.search(r'aria-describedby="[^"]*\bid_medecin_error\b', response.content.decode())
    assert 'id="id_medecin_error"' in response.content.decode()


def test_steps_skip_a_step_whose_condition_is_false_and_show_progress(parent_client, dossier):
    html = parent_client.get(step_url(dossier, 0)).content.decode()
    assert "Étape 1 sur 4" in html  # Santé, Cantine, Personnes, récapitulatif (PAI hidden)
    response = parent_client.post(step_url(dossier, 0), {"allergies": "non"})
    assert response["Location"] == step_url(dossier, 1)
    response = parent_client.post(step_url(dossier, 1), {"cantine": "non"})
    assert response["Location"] == step_url(dossier, 3)
    assert parent_client.get(step_url(dossier, 2))["Location"] == step_url(dossier, 3)
    # With allergies the PAI step appears.
    parent_client.post(step_url(dossier, 0), {"allergies": "oui", "allergies_detail": "Lait"})
    response = parent_client.post(step_url(dossier, 1), {"cantine": "oui", "jours": ["Mardi"]})
    assert response["Location"] == step_url(dossier, 2)
    assert "Étape 3 sur 5" in parent_client.get(step_url(dossier, 2)).content.decode()


def test_going_back_keeps_answers_and_does_not_require(parent_client, dossier):
    parent_client.post(step_url(dossier, 0), {"allergies": "non", "medecin": "Dr Louis"})
    response = parent_client.post(step_url(dossier, 1), {"_action": "previous"})
    assert response["Location"] == step_url(dossier, 0)
    html = parent_client.get(step_url(dossier, 0)).content.decode()
    assert 'value="Dr Louis"' in html and 'value="non" id="id_allergies_1" checked' in html.replace("\n", "")
    # A malformed answer still stops the move, with its message, value kept.
    response = parent_client.post(step_url(dossier, 1), {"cantine": "oui", "jours": ["Samedi"], "_action": "previous"})
    assert response.status_code == 200 and "Sélectionnez un choix valide" in response.content.decode()


def test_draft_is_saved_without_required_answers_and_resumed_from_my_dossiers(parent_client, dossier, parent):
    response = parent_client.post(step_url(dossier, 0), {"medecin": "Dr Louis", "_action": "save"})
    assert response["Location"] == "/dossiers/"
    html = parent_client.get("/dossiers/").content.decode()
    assert "Léa Joseph" in html and "Brouillon" in html and "Reprendre" in html
    dossier.refresh_from_db()
    assert dossier.answers == {"medecin": "Dr Louis"} and dossier.status == "draft"
    # Another session of the same parent resumes it.
    from django.test import Client

    other = Client()
    other.force_login(parent)
    assert 'value="Dr Louis"' in other.get(step_url(dossier, 0)).content.decode()


def test_repeated_group_min_max_and_empty_lines(parent_client, dossier):
    url = step_url(dossier, 3)
    html = parent_client.get(url).content.decode()
    assert 'name="personnes-count" value="1"' in html and "data-group-template" in html
    assert 'name="personnes-__index__-nom"' in html
    # Below the minimum.
    response = parent_client.post(url, {"personnes-count": "1", "personnes-0-nom": "", "personnes-0-telephone": ""})
    assert "Ajoutez au moins 1 ligne « Personne »." in response.content.decode()
    # A line half filled: its required answers are asked for.
    response = parent_client.post(url, {"personnes-count": "1", "personnes-0-nom": "Mamie"})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert 'value="Mamie"' in response.content.decode()
    # Two people and one empty line: the empty line is no line.
    response = parent_client.post(url, {
        "personnes-count": "3",
        "personnes-0-nom": "Mamie Rose", "personnes-0-telephone": "0696000001", "personnes-0-lien": "Grand-mère",
        "personnes-1-nom": "", "personnes-1-telephone": "",
        "personnes-2-nom": "Paul", "personnes-2-telephone": "0596 11 11 11",
    })
    assert response["Location"] == review_url(dossier)
    dossier.refresh_from_db()
    assert dossier.answers["personnes"] == [
        {"nom": "Mamie Rose", "telephone": "06 96 00 00 01", "lien": "Grand-mère"},
        {"nom": "Paul", "telephone": "05 96 11 11 11"},
    ]
    html = parent_client.get(url).content.decode()
    assert 'value="Mamie Rose"' in html and 'name="personnes-count" value="3"' in html


def test_repeated_group_above_maximum_is_refused(parent_client, dossier):
    response = parent_client.post(step_url(dossier, 3), {"personnes-count": "4", "personnes-3-nom": "X"})
    assert response.status_code == 400
    dossier.refresh_from_db()
    assert "personnes" not in dossier.answers


def test_one_dossier_per_child_and_form(parent_client, home, children):
    page = make_page(home, HEALTH, slug="unique")
    first = start(parent_client, page, children[0])
    again = start(parent_client, page, children[0])
    assert first.pk == again.pk
    start(parent_client, page, children[1])
    assert Submission.objects.filter(page=page).count() == 2
    html = parent_client.get(page.url).content.decode()
    assert html.count("Reprendre le dossier") == 2
