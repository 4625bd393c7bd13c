"""Every field type, through the HTTP client: valid answers are stored typed,
invalid ones are refused with a French message next to the field and the
page keeps what was typed."""

import pytest

from forms.models import Submission
from tests.forms.conftest import _file, _heading, _paragraph, _q, _step, make_page, start, step_url

ALL_TYPES = [
    _step("Tout", "<p>Toutes les questions.</p>", [
        _heading("Identité"),
        _paragraph("<p>Aide.</p>"),
        _q("text", "Nom", "nom"),
        _q("textarea", "Remarques", "remarques", required=False),
        _q("email", "Courriel", "courriel"),
        _q("phone", "Téléphone", "tel"),
        _q("date", "Naissance", "naissance", min_date="2015-01-01", max_date="2024-12-31"),
        _q("number", "Frères et sœurs", "freres", min_value=0, max_value=10),
        _q("number", "Taille (m)", "taille", required=False, decimal_places=2),
        _q("choice", "Lien", "lien", choices="Mère\nPère"),
        _q("choice", "Niveau", "niveau", choices="PS\nMS", widget="select"),
        _q("multichoice", "Jours", "jours", choices="Lundi\nMardi\nJeudi"),
        _q("yesno", "Cantine", "cantine"),
        _q("postal_code", "Code postal", "cp"),
        _q("consent", "J'accepte", "accord"),
    ]),
    _step("Documents", "", [_file("Acte", "acte", "")]),
]

VALID = {
    "nom": "Joseph", "remarques": "Rien\nà signaler", "courriel": "marie@example.org", "tel": "+596 696 12 34 56",
    "naissance": "2021-03-14", "freres": "2", "taille": "1.05", "lien": "Mère", "niveau": "MS",
    "jours": ["Jeudi", "Lundi"], "cantine": "non", "cp": "97228", "accord": "on",
}
EXPECTED = {
    "nom": "Joseph", "remarques": "Rien\nà signaler", "courriel": "marie@example.org", "tel": "06 96 12 34 56",
    "naissance": "2021-03-14", "freres": 2, "taille": "1.05", "lien": "Mère", "niveau": "MS",
    "jours": ["Lundi", "Jeudi"], "cantine": False, "cp": "97228", "accord": True,
}


@pytest.fixture
def dossier(parent_client, home, children):
    page = make_page(home, ALL_TYPES)
    return start(parent_client, page, children[0])


def test_valid_answers_are_stored_typed(parent_client, dossier):
    response = parent_client.post(step_url(dossier, 0), {**VALID, "_action": "next"})
    assert response.status_code == 302 and response["Location"] == step_url(dossier, 1)
    dossier.refresh_from_db()
    assert dossier.answers == EXPECTED


def test_every_invalid_answer_has_its_french_message_and_values_are_kept(parent_client, dossier):
    bad = {
        "nom": "", "courriel": "pas-une-adresse", "tel": "12345", "naissance": "2010-05-05", "freres": "11",
        "taille": "abc", "lien": "Oncle", "niveau": "CM2", "jours": ["Dimanche"], "cantine": "peut-être",
        "cp": "123", "_action": "next",
    }
    response = parent_client.post(step_url(dossier, 0), bad)
    assert response.status_code == 200
    html = response.content.decode()
    for message in [
        "Ce champ est obligatoire.",
        "Saisissez une adresse de courriel valide.",
        "Saisissez un numéro de téléphone français à 10 chiffres",
        "La date doit être le 01/01/2015 ou après.",
        "inférieure ou égale à 10",
        "Saisissez un nombre.",
        "Sélectionnez un choix valide",
        "Saisissez un code postal à 5 chiffres",
        "Cochez cette case pour continuer.",
    ]:
        assert message in html, message
    assert html.count('class="field__error"') >= 11
    # What was typed is still there.
    assert 'value="pas-une-adresse"' in html and 'value="12345"' in html and 'value="2010-05-05"' in html
    dossier.refresh_from_db()
    assert dossier.answers == {}


def test_date_after_the_upper_bound_is_refused(parent_client, dossier):
    response = parent_client.post(step_url(dossier, 0), {**VALID, "naissance": "2025-01-01"})
    assert "La date doit être le 31/12/2024 ou avant." in response.content.decode()


def test_french_phone_numbers_are_normalised(parent_client, dossier):
    for typed, kept in [("0696123456", "06 96 12 34 56"), ("06.96.12.34.56", "06 96 12 34 56"),
                        ("+33 6 12 34 56 78", "06 12 34 56 78"), ("0596 70 00 00", "05 96 70 00 00")]:
        parent_client.post(step_url(dossier, 0), {**VALID, "tel": typed})
        dossier.refresh_from_db()
        assert dossier.answers["tel"] == kept


def test_decimal_with_a_french_comma(parent_client, dossier):
    parent_client.post(step_url(dossier, 0), {**VALID, "taille": "1,5"})
    dossier.refresh_from_db()
    assert dossier.answers["taille"] == "1.5"
    assert 'value="1,5"' in parent_client.get(step_url(dossier, 0)).content.decode()


def test_optional_answers_left_empty_are_not_stored(parent_client, dossier):
    parent_client.post(step_url(dossier, 0), {**VALID, "remarques": "", "taille": ""})
    dossier.refresh_from_db()
    assert "remarques" not in dossier.answers and "taille" not in dossier.answers


def test_yes_no_keeps_no_as_an_answer_and_required_needs_one(parent_client, dossier):
    values = dict(VALID)
    del values["cantine"]
    response = parent_client.post(step_url(dossier, 0), values)
    assert response.status_code == 200 and "Ce champ est obligatoire." in response.content.decode()
    parent_client.post(step_url(dossier, 0), {**VALID, "cantine": "oui"})
    dossier.refresh_from_db()
    assert dossier.answers["cantine"] is True


def test_the_form_renders_every_type_with_labels(parent_client, dossier):
    html = parent_client.get(step_url(dossier, 0)).content.decode()
    for fragment in ['type="email"', 'type="tel"', 'type="date"', 'type="number"', 'type="radio"',
                     "<select", 'type="checkbox"', "<textarea", "<h2 class=\"dossier-heading\">Identité</h2>",
                     "<p>Aide.</p>", "Étape 1 sur 3"]:
        assert fragment in html, fragment
    html = parent_client.get(step_url(dossier, 1)).content.decode()
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "Fichier PDF, JPEG ou PNG, 5 Mo au plus." in html


def test_prefill_from_profile(parent_client, home, children):
    page = make_page(home, [_step("Enfant", "", [
        _q("text", "Prénom", "prenom", prefill="child.first_name"),
        _q("date", "Naissance", "naissance", prefill="child.birth_date"),
        _q("choice", "Niveau", "niveau", prefill="child.level", choices="Petite section\nCP", widget="select"),
        _q("phone", "Téléphone", "tel", prefill="family.phone"),
        _q("email", "E-mail", "email", prefill="guardian.email"),
        _q("postal_code", "CP", "cp", prefill="family.postal_code"),
        _q("text", "Adresse", "adresse", prefill="family.address"),
    ])], slug="prefill")
    first, second = (start(parent_client, page, child) for child in children)
    assert first.answers == {"prenom": "Léa", "naissance": "2021-03-14", "niveau": "Petite section",
                             "tel": "06 96 11 22 33", "email": "marie@example.org", "cp": "97228",
                             "adresse": "12 rue des Flamboyants"}
    assert second.answers["prenom"] == "Noé" and second.answers["niveau"] == "CP"
    html = parent_client.get(step_url(first, 0)).content.decode()
    assert 'value="Léa"' in html and 'value="2021-03-14"' in html
    assert Submission.objects.filter(page=page).count() == 2


def test_second_child_starts_from_what_the_family_said_for_the_first(parent_client, home, children):
    page = make_page(home, [_step("Famille", "", [
        _q("text", "Prénom", "prenom", prefill="child.first_name"),
        _q("phone", "Téléphone", "tel", prefill="family.phone"),
        _q("text", "Adresse", "adresse", prefill="family.address"),
    ])], slug="fratrie")
    first = start(parent_client, page, children[0])
    parent_client.post(step_url(first, 0), {"prenom": "Léa", "tel": "0696 99 88 77", "adresse": "3 rue Neuve"})
    second = start(parent_client, page, children[1])
    assert second.answers == {"prenom": "Noé", "tel": "06 96 99 88 77", "adresse": "3 rue Neuve"}
