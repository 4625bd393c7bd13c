"""The form page: opening dates, the family's children, the editor's side
(admin edit, preview, checks on the definition) and the demo form."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone

from workflows.models import ProcedurePage
from forms.blocks import FormStreamBlock
from forms.definition import definition_problems
from tests.factories import UserFactory
from tests.forms.conftest import _q, _step, _when, confirmed, make_page

STEPS = [_step("Un", "", [_q("text", "Nom", "nom"), _q("yesno", "Cantine ?", "cantine"),
                          _q("text", "Jours", "jours", condition=_when("cantine"))])]


def test_open_page_lists_each_child_with_a_start_button(parent_client, home, children):
    page = make_page(home, STEPS, closes_at=timezone.now() + dt.timedelta(days=10))
    html = parent_client.get(page.url).content.decode()
    assert "Commencer le dossier de Léa" in html and "Commencer le dossier de Noé" in html
    assert "Dossiers à déposer avant le" in html


def test_before_opening_and_after_closing_the_page_explains(parent_client, home, children):
    soon = make_page(home, STEPS, slug="bientot", opens_at=timezone.make_aware(dt.datetime(2099, 3, 2, 8, 0)),
                     before_opening_text="<p>Préparez les documents.</p>")
    html = parent_client.get(soon.url).content.decode()
    assert "Les inscriptions ouvriront le 2 mars 2099" in html and "Préparez les documents." in html
    assert "Commencer le dossier" not in html
    past = make_page(home, STEPS, slug="passe", closes_at=timezone.now() - dt.timedelta(days=1),
                     after_closing_text="<p>Contactez l'école.</p>")
    html = parent_client.get(past.url).content.decode()
    assert "Les inscriptions sont closes depuis le" in html and "Contactez l" in html
    assert "Commencer le dossier" not in html


def test_anonymous_and_staff_without_family(client, home):
    page = make_page(home, STEPS)
    assert "Se connecter pour remplir un dossier" in client.get(page.url).content.decode()
    client.force_login(confirmed(UserFactory()))
    assert "aucune famille" in client.get(page.url).content.decode()
    assert client.get("/dossiers/").status_code == 200


def test_family_with_several_schools_picks_one(parent_client, home, children, family, school):
    from forms.models import Submission
    from tests.factories import SchoolFactory

    second = SchoolFactory(name="École du Morne")
    family.schools.add(second)
    page = make_page(home, STEPS)
    html = parent_client.get(page.url).content.decode()
    assert 'name="school"' in html and "École du Morne" in html
    parent_client.post("/dossiers/commencer/", {"page": page.pk, "child": children[0].pk, "school": second.pk})
    assert Submission.objects.get().school == second


def test_closes_before_it_opens_is_refused_to_the_editor(home):
    page = ProcedurePage(title="x", slug="x", form=STEPS, opens_at=timezone.now(),
                             closes_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        page.full_clean()


@pytest.mark.parametrize("steps, problem", [
    ([_step("Un", "", [_q("text", "Jours", "jours", condition=_when("cantine")),
                       _q("yesno", "Cantine ?", "cantine")])], "n'est pas une question placée avant"),
    ([_step("Un", "", [_q("text", "Nom", "nom"), _q("text", "Nom", "nom")])], "deux questions portent le nom"),
    ([_step("Un", "", [_q("choice", "Niveau", "niveau", choices="")])], "Champ requis"),
    ([_step("Un", "", [_q("date", "Date", "d", min_date="2024-01-01", max_date="2023-01-01")])], "plus tôt"),
    ([_step("Un", "", [_q("text", "Nom", "nom", condition=_when("nom", ""))])],
     "n'est pas une question placée avant"),
])
def test_the_builder_refuses_a_broken_form(steps, problem):
    block = FormStreamBlock()
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python(steps))
    assert problem in str(error.value.as_json_data() if hasattr(error.value, "as_json_data") else error.value)


def test_condition_may_name_the_question_by_its_label(home):
    page = ProcedurePage(title="x", form=[_step("Un", "", [
        _q("yesno", "Cantine ?", "cantine"),
        _q("text", "Jours", "jours", condition=_when("Cantine ?")),
    ])])
    definition = page.get_definition()
    assert definition_problems(definition) == []
    assert definition["steps"][0]["items"][1]["condition"]["clauses"][0]["field"] == "cantine"


def test_admin_edit_and_preview_of_the_form(home, client):
    page = make_page(home, STEPS)
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(f"/cms/pages/{page.pk}/edit/")
    assert response.status_code == 200
    request = RequestFactory().get("/")
    request.user = admin
    preview = page.make_preview_request(request, "form")
    preview.render()
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Aperçu pour la rédaction" in html and "Étape 1 : Un" in html
    assert "Affiché seulement si « Cantine ? » vaut « Oui »" in html  # the label, not the technical name
    landing = page.make_preview_request(request, "")
    assert landing.status_code == 200


def test_demo_enrolment_form_is_built_with_the_builder_and_fillable(db):
    from inscrire.demo.loader import load_demo
    from django.contrib.auth import get_user_model

    load_demo()
    page = ProcedurePage.objects.get(slug="inscription-2026-2027")
    assert page.live and page.is_open()
    definition = page.get_definition()
    assert definition_problems(definition) == []
    titles = [step["title"] for step in definition["steps"]]
    assert titles == ["L'enfant", "Responsables légaux", "Santé", "Personnes autorisées",
                      "Cantine et périscolaire", "Documents", "Engagements"]
    names = {item["name"] for step in definition["steps"] for item in step["items"]}
    assert {"allergies_detail", "personnes_autorisees", "cantine_jours", "acte_naissance",
            "justificatif_domicile", "carnet_vaccination"} <= names
    load_demo()
    assert ProcedurePage.objects.filter(slug="inscription-2026-2027").count() == 1
    parent = get_user_model().objects.get(email="parent@inscrire.example")
    client = Client()
    client.force_login(parent)
    assert client.get(page.url).status_code == 200
