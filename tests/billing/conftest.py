"""A small world for payments: the workflow's world (a procedure page with
payment and attestation, a school and its director, a family with a child
and a signed-in parent), a finance agent, the operator's creditor details
and the school's tariffs — and a dossier the director validated through
HTTP, now awaiting payment."""

from decimal import Decimal

import pytest

from billing import selectors
from billing.constants import Service
from billing.models import PaymentSettings, Tariff
from billing.sepa import creditor_identifier
from tests.factories import UserFactory
from tests.workflows.conftest import (  # noqa: F401 — fixtures shared with the workflow tests
    child,
    director,
    family,
    home,
    parent,
    pdf_text,
    procedure,
    school,
    submit_through_the_form,
)
from workflows.constants import DossierState
from workflows.models import Dossier

ICS = creditor_identifier(country="FR", business_code="ZZZ", national_id="123456")
GOOD_IBAN = "FR76 3000 6000 0112 3456 7890 189"
GOOD_BIC = "AGRIFRPP"


@pytest.fixture
def finance(db):
    return UserFactory(finance=True, first_name="Fabrice", last_name="Finance")


def operator_creditor() -> PaymentSettings:
    """The operator's creditor details, as the finance team enters them."""
    settings = PaymentSettings.load()
    settings.creditor_name = "SOGES Martinique"
    settings.creditor_identifier = ICS
    settings.creditor_iban = "FR7630006000011234567890189"
    settings.creditor_bic = "AGRIFRPPXXX"
    settings.save()
    return settings


@pytest.fixture
def creditor(db):
    return operator_creditor()


@pytest.fixture
def awaiting(client, procedure, child, parent, director, creditor):
    """A dossier the director validated, awaiting payment, with the
    school's tariffs for its school year."""
    page = procedure(payment_required=True, attestation_enabled=True)
    client.force_login(parent)
    submission = submit_through_the_form(client, page, child)
    dossier = Dossier.objects.get(submission=submission)
    client.force_login(director)
    response = client.post(f"/cms/dossiers/{dossier.pk}/decision/validate/", {"validate-comment": ""})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.AWAITING_PAYMENT
    year = dossier.school_year
    Tariff.objects.create(school=dossier.school, service=Service.CANTEEN, school_year=year,
                          monthly_amount=Decimal("45.50"), description="4 repas par semaine")
    Tariff.objects.create(school=dossier.school, service=Service.AFTER_SCHOOL, school_year=year,
                          monthly_amount=Decimal("30.00"))
    client.force_login(parent)
    return dossier


def pay_url(dossier, suffix: str = "") -> str:
    return f"/paiements/{dossier.submission.public_id}/{suffix}"


def choose(client, dossier, mode: str, service: str = Service.CANTEEN):
    tariff = Tariff.objects.get(school=dossier.school, service=service)
    first = selectors.first_month_choices(dossier=dossier)[0]
    response = client.post(pay_url(dossier), {"tariff": tariff.pk, "first_month": first.isoformat(), "mode": mode})
    assert response.status_code == 302, response.content.decode()[:3000]
    return tariff, first
