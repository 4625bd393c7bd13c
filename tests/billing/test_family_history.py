"""The family's history says who recorded a payment: the finance service,
not « l'école »."""

import html

import pytest

from billing.constants import PaymentMode

from .conftest import choose

pytestmark = pytest.mark.django_db


def test_cash_recorded_by_a_finance_agent_reads_as_the_finance_service(client, awaiting, parent, finance):
    choose(client, awaiting, PaymentMode.CASH)
    client.force_login(finance)
    response = client.post(f"/cms/paiements/especes/{awaiting.pk}/", {"amount": "45,50", "receipt_number": "R-1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(parent)
    page = html.unescape(client.get(f"/dossiers/{awaiting.submission.public_id}/suivi/").content.decode())
    assert "Paiement réglé (le service financier)" in page
    assert "Paiement réglé (l'école)" not in page
    assert "Dossier validé (l'école)" in page  # the director's decision is still the school's
