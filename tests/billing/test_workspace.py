"""The finance workspace: its pages render, it is scoped like the
directors' workspace, and the settings editors and agents use render."""

import pytest

from billing.constants import MandateStatus, PaymentMode
from billing.models import Mandate, PaymentArrangement
from workflows.models import AttestationSettings
from tests.factories import DossierFactory, UserFactory
from workflows.constants import DossierAction

from .conftest import choose, pay_url

pytestmark = pytest.mark.django_db


def test_pages_render_and_reads_are_audited(client, awaiting, finance):
    choose(client, awaiting, PaymentMode.CASH)
    client.force_login(finance)
    index = client.get("/cms/paiements/")
    assert index.status_code == 200
    html = index.content.decode()
    for heading in ("Mandats à vérifier", "Espèces à encaisser", "Dossiers en retard de paiement",
                    "Prélèvements SEPA"):
        assert heading in html
    cash = client.get(f"/cms/paiements/especes/{awaiting.pk}/")
    assert cash.status_code == 200 and "45,50 €" in cash.content.decode()
    assert awaiting.events.filter(action=DossierAction.VIEWED, actor=finance).exists()
    # A month with nothing to collect says so.
    response = client.post("/cms/paiements/export/", {"month": "2030-01"}, follow=True)
    assert "Aucun prélèvement à transmettre" in response.content.decode()
    response = client.post("/cms/paiements/export/", {"month": "janvier"}, follow=True)
    assert "Choisissez un mois" in response.content.decode()


def test_finance_scope_excludes_dossiers_without_payment(client, finance):
    other = DossierFactory(payment_required=False)
    client.force_login(finance)
    assert client.get(f"/cms/paiements/especes/{other.pk}/").status_code == 404


def test_refusing_a_mandate_needs_a_reason_and_lets_the_family_try_again(client, awaiting, finance):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import GOOD_BIC, GOOD_IBAN

    choose(client, awaiting, PaymentMode.SEPA)
    client.post(pay_url(awaiting, "mandat/"), {"holder_name": "Marie Joseph", "iban": GOOD_IBAN, "bic": GOOD_BIC})
    pdf = client.get(pay_url(awaiting, "mandat.pdf")).content
    client.post(pay_url(awaiting, "mandat/signe/"), {"document": SimpleUploadedFile("m.pdf", pdf)})
    mandate = Mandate.objects.get()
    client.force_login(finance)
    response = client.post(f"/cms/paiements/mandats/{mandate.pk}/refuser/", {"refuse-reason": ""})
    assert response.status_code == 400 and "Indiquez le motif" in response.content.decode()
    response = client.post(f"/cms/paiements/mandats/{mandate.pk}/refuser/", {"refuse-reason": "Non signé"})
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.REFUSED
    # Validating a refused mandate is refused.
    response = client.post(f"/cms/paiements/mandats/{mandate.pk}/valider/", follow=True)
    assert "pas à vérifier" in response.content.decode()
    client.force_login(awaiting.family.guardians.first())
    html = client.get(pay_url(awaiting)).content.decode()
    assert "Non signé" in html and "Préparer mon mandat" in html
    # The family may change its mind after a refusal.
    choose(client, awaiting, PaymentMode.CASH)
    assert PaymentArrangement.objects.get().mode == PaymentMode.CASH


def test_settings_pages_render_for_their_editors(client, db):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    for url in ("/cms/settings/billing/paymentsettings/", "/cms/settings/workflows/attestationsettings/",
                "/cms/snippets/billing/tariff/"):
        assert client.get(url, follow=True).status_code == 200, url
    AttestationSettings.load()


def test_the_admin_home_tells_finance_agents_what_waits(client, awaiting, finance):
    choose(client, awaiting, PaymentMode.CASH)
    client.force_login(finance)
    html = client.get("/cms/").content.decode()
    assert "Ouvrir l'espace paiements" in html, html[-3000:]
    assert "1 paiement en espèces attendu" in html and "mandats à vérifier" in html


def test_statistics_show_how_the_families_pay(client, awaiting, director):
    """The director's statistics count the dossiers with a payment by mode,
    those whose family has not chosen yet included."""
    client.force_login(director)
    html = client.get("/cms/dossiers/statistiques/").content.decode()
    assert "par mode de paiement" in html and "Mode pas encore choisi" in html
    client.force_login(awaiting.family.guardians.get())
    choose(client, awaiting, PaymentMode.CASH)
    client.force_login(director)
    html = client.get("/cms/dossiers/statistiques/").content.decode()
    assert "Espèces" in html and "Mode pas encore choisi" not in html
