"""Editors define a procedure's services in the admin (« Services »): a
unit and one price, or a price per quotient familial bracket — three at
least, from 0 €, one by default — and the form question that chooses it.
Bad input is refused next to its field, nothing saved."""

from decimal import Decimal

import pytest
from django.test import Client

from billing.constants import Service, ServiceUnit
from billing.models import ProcedureService
from tests.factories import UserFactory
from tests.forms.conftest import _q, _step, make_page
from tests.workflows.conftest import home, school  # noqa: F401 — fixtures

ADD = "/cms/snippets/billing/procedureservice/add/"
STEPS = [_step("Services", "", [
    _q("multichoice", "Jours de cantine", "cantine_jours", required=False,
       choices="Lundi\nMardi\nJeudi\nVendredi"),
    _q("yesno", "Garderie du soir", "garderie", required=False),
    _q("text", "Remarque", "remarque", required=False),
])]


@pytest.fixture
def editor_client(db):
    client = Client()
    client.force_login(UserFactory(editor=True))
    return client


@pytest.fixture
def page(home, school):  # noqa: F811
    page = make_page(home, STEPS, slug="cantine-2026", title="Cantine 2026-2027", stages=[])
    page.schools.add(school)
    return page


def service_data(page, *, price="", brackets=(), question="cantine_jours", unit=ServiceUnit.MEAL) -> dict:
    data = {
        "procedure": page.pk, "school_year": "2026-2027", "school": "", "kind": Service.CANTEEN,
        "name": "Cantine", "unit": unit, "price": price, "question": question,
        "brackets-TOTAL_FORMS": str(len(brackets)), "brackets-INITIAL_FORMS": "0",
        "brackets-MIN_NUM_FORMS": "0", "brackets-MAX_NUM_FORMS": "1000",
    }
    for index, (qf_from, amount, default) in enumerate(brackets):
        data.update({f"brackets-{index}-qf_from": qf_from, f"brackets-{index}-price": amount,
                     f"brackets-{index}-ORDER": str(index), f"brackets-{index}-DELETE": "",
                     f"brackets-{index}-id": ""})
        if default:
            data[f"brackets-{index}-is_default"] = "on"
    return data


def form_errors(response) -> str:
    form = response.context["form"]
    brackets = form.formsets["brackets"]
    return f"{form.errors} {[f.errors for f in brackets.forms]} {brackets.non_form_errors()}"


CANTINE_A_1_EURO = (("0", "1.00", False), ("700", "2.50", False), ("1200", "3.80", True))


def test_editor_defines_a_service_priced_by_quotient_bracket(editor_client, page):
    assert editor_client.get(ADD).status_code == 200
    response = editor_client.post(ADD, service_data(page, brackets=CANTINE_A_1_EURO))
    assert response.status_code == 302, form_errors(response)
    service = ProcedureService.objects.get()
    assert (service.procedure_id, service.school_year, service.unit, service.price, service.question) == (
        page.pk, "2026-2027", ServiceUnit.MEAL, None, "cantine_jours")
    assert [(b.qf_from, b.price, b.is_default) for b in service.brackets.order_by("qf_from")] == [
        (Decimal("0.00"), Decimal("1.00"), False), (Decimal("700.00"), Decimal("2.50"), False),
        (Decimal("1200.00"), Decimal("3.80"), True)]
    listing = editor_client.get("/cms/snippets/billing/procedureservice/")
    assert "Cantine" in listing.content.decode()


def test_editor_defines_a_service_with_one_price(editor_client, page):
    response = editor_client.post(ADD, service_data(page, price="2.50", question="garderie",
                                                    unit=ServiceUnit.SESSION))
    assert response.status_code == 302, form_errors(response)
    assert ProcedureService.objects.get().price == Decimal("2.50")


@pytest.mark.parametrize(("fill", "message"), [
    (dict(brackets=CANTINE_A_1_EURO[:2]), "au moins trois tranches"),
    (dict(price="2.00", brackets=CANTINE_A_1_EURO), "pas les deux"),
    (dict(), "Indiquez le prix, ou au moins trois tranches"),
    (dict(brackets=(("100", "1.00", False), ("700", "2.50", False), ("1200", "3.80", True))), "commence à un quotient familial de 0"),
    (dict(brackets=(("0", "1.00", True), ("700", "2.50", False), ("1200", "3.80", True))), "une seule"),
    (dict(brackets=(("0", "1.00", True), ("700", "2.50", False), ("700", "3.80", False))), "en double"),
    (dict(price="2.00", question="inconnue"), "pas de question « inconnue »"),
    (dict(price="2.00", question="remarque"), "Liez un choix"),
    (dict(price="-1"), "supérieure ou égale à 0"),
])
def test_bad_service_is_refused_with_a_french_message(editor_client, page, fill, message):
    response = editor_client.post(ADD, service_data(page, **fill))
    assert response.status_code == 200
    assert message in response.content.decode(), form_errors(response)
    assert not ProcedureService.objects.exists()
