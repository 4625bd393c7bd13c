"""Conditions (issue 17): several clauses, all of them or any, numbers and
dates compared by value, the same evaluator for a form's questions, its
steps and a procedure's stages; a condition that could never hold is
refused on save, next to its step."""

import pytest
from django.core.exceptions import ValidationError

from forms.blocks import FormStreamBlock
from forms.conditions import condition_met
from tests.forms.conftest import _q, _step, _when, make_page, review_url, start, step_url
from inscrire.demo.enrolment import _when_all


def clause(field, op, value="", value2=""):
    return {"field": field, "op": op, "value": value, "value2": value2}


@pytest.mark.parametrize("condition, answers, expected", [
    ({"match": "all", "clauses": [clause("age", "greater", "3"), clause("cantine", "equals", "Oui")]},
     {"age": 4, "cantine": True}, True),
    ({"match": "all", "clauses": [clause("age", "greater", "3"), clause("cantine", "equals", "Oui")]},
     {"age": 4, "cantine": False}, False),
    ({"match": "any", "clauses": [clause("age", "greater", "3"), clause("cantine", "equals", "Oui")]},
     {"age": 2, "cantine": True}, True),
    ({"match": "all", "clauses": [clause("taille", "between", "3,5", "4.25")]}, {"taille": "4,2"}, True),
    ({"match": "all", "clauses": [clause("taille", "between", "3,5", "4.25")]}, {"taille": "4.3"}, False),
    ({"match": "all", "clauses": [clause("naissance", "less", "01/09/2023")]}, {"naissance": "2023-08-31"}, True),
    ({"match": "all", "clauses": [clause("naissance", "less", "01/09/2023")]}, {"naissance": "2023-09-01"}, False),
    ({"match": "all", "clauses": [clause("naissance", "greater", "2023-01-01")]}, {"naissance": "pas une date"}, False),
    ({"match": "all", "clauses": [clause("jours", "equals", "mardi")]}, {"jours": ["Lundi", "Mardi"]}, True),
    # A definition from before clauses: one clause alone.
    (clause("cantine", "not_equals", "Oui"), {"cantine": False}, True),
    ({"match": "all", "clauses": []}, {}, True),
])
def test_clauses_all_or_any_with_numbers_and_dates(condition, answers, expected):
    assert condition_met(condition, answers) is expected


@pytest.mark.parametrize("steps, message", [
    ([_step("Un", "", [_q("yesno", "Cantine ?", "cantine"),
                       _q("text", "Jours", "jours", condition=_when("cantine", "Vrai"))])],
     "« Vrai » n'est pas une réponse possible à « Cantine ? » (réponses : Oui, Non)"),
    ([_step("Un", "", [_q("choice", "Repas", "repas", choices="Standard\nVégétarien"),
                       _q("text", "Allergies", "allergies", condition=_when("repas", "Sans gluten"))])],
     "« Sans gluten » n'est pas une réponse possible à « Repas »"),
    ([_step("Un", "", [_q("number", "Âge", "age"),
                       _q("text", "Classe", "classe", condition=_when("age", "trois", operator="greater"))])],
     "attend un nombre"),
    ([_step("Un", "", [_q("date", "Naissance", "naissance"),
                       _q("text", "Classe", "classe",
                          condition=_when("naissance", "01/09/2023", operator="between", value2="01/01/2020"))])],
     "ne peut jamais être remplie"),
    ([_step("Un", "", [_q("text", "Nom", "nom"),
                       _q("text", "Classe", "classe", condition=_when("nom", "3", operator="greater"))])],
     "n'est ni un nombre ni une date"),
])
def test_a_condition_that_can_never_hold_is_refused_next_to_its_step(steps, message):
    block = FormStreamBlock()
    with pytest.raises(ValidationError) as raised:
        block.clean(block.to_python(steps))
    errors = raised.value.as_json_data()
    assert message in str(errors["blockErrors"][0])  # on the step, not only above the form


STEPS = [
    _step("L'enfant", "", [
        _q("number", "Âge de l'enfant", "age"),
        _q("yesno", "Cantine ?", "cantine"),
        _q("text", "Régime", "regime", condition=_when_all(("age", "between", "3", "6"), ("cantine", "equals", "Oui"))),
        _q("text", "Garderie", "garderie", required=False,
           condition=_when_all(("age", "less", "3"), ("cantine", "equals", "Non"), match="any")),
    ]),
    _step("Suite", "", [
        _q("text", "Précision", "precision", condition=_when_all(("age", "greater", "5"))),
        _q("text", "Remarque", "remarque", required=False),
    ]),
]


@pytest.mark.parametrize("age, cantine, regime, garderie, precision", [
    ("4", "oui", True, False, False),
    ("2", "oui", False, True, False),
    ("7", "non", False, True, True),
    ("6", "oui", True, False, True),  # both ends of « entre » included
])
def test_the_family_meets_the_clauses_on_the_server(parent_client, home, children, age, cantine, regime, garderie,
                                                   precision):
    page = make_page(home, STEPS)
    dossier = start(parent_client, page, children[0])
    data = {"age": age, "cantine": cantine, "regime": "Sans porc", "garderie": "Soir"}
    assert parent_client.post(step_url(dossier, 0), data).status_code == 302
    dossier.refresh_from_db()
    assert ("regime" in dossier.answers, "garderie" in dossier.answers) == (regime, garderie)
    html = parent_client.get(step_url(dossier, 1)).content.decode()
    assert ('name="precision"' in html) is precision
    response = parent_client.post(step_url(dossier, 1), {"precision": "Oui", "remarque": ""})
    assert response.status_code == 302 and response["Location"].endswith(review_url(dossier))
