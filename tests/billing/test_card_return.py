"""Card payments send the payer back to the address they came from (not a
fixed SITE_URL another port or host would make dead), and the return page
says plainly whether the payment worked. The development provider's page
is in French; the SEPA fields say they are required."""

import html
import re
import subprocess
from pathlib import Path

import pytest

from billing.constants import PaymentMode
from billing.models import CardPayment
from workflows.constants import DossierState

from .conftest import choose, pay_url

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def start_card(client, dossier, **extra) -> CardPayment:
    choose(client, dossier, PaymentMode.CARD)
    response = client.post(pay_url(dossier, "carte/"), **extra)
    assert response.status_code == 302, text(response)[:2000]
    return CardPayment.objects.get(dossier=dossier)


def pay(client, card, status: str, gateway: str = "3ds-disabled", **extra):
    return client.post(f"/paiements/carte/{card.token}/",
                       {"status": status, "fraud_status": "accept", "gateway_response": gateway}, **extra)


def text(response) -> str:
    return html.unescape(response.content.decode())


def outcome(response) -> str:
    found = re.search(r'data-outcome="(\w+)"', response.content.decode())
    return found[1] if found else ""


def test_make_run_derives_site_url_from_host_and_port():
    out = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert "SITE_URL=http://127.0.0.1:8123 .venv/bin/python manage.py run_huey" in out
    assert "SITE_URL=http://127.0.0.1:8123 .venv/bin/python manage.py runserver 127.0.0.1:8123" in out
    out = subprocess.run(["make", "-n", "run", "PORT=8123", "SITE_URL=https://inscrire.example"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert "SITE_URL=https://inscrire.example .venv/bin/python manage.py runserver" in out


def test_the_payer_comes_back_to_the_address_they_started_from(client, awaiting, settings,
                                                               django_capture_on_commit_callbacks):
    settings.SITE_URL = "http://127.0.0.1:8000"
    host = {"HTTP_HOST": "127.0.0.1:8123"}
    card = start_card(client, awaiting, **host)
    assert card.return_origin == "http://127.0.0.1:8123"
    with django_capture_on_commit_callbacks(execute=True):
        response = pay(client, card, "confirmed", **host)
    assert response.status_code == 302
    assert response["Location"] == f"http://127.0.0.1:8123/paiements/carte/{card.token}/retour/"

    response = client.get(response["Location"], **host)
    page = text(response)
    assert response.status_code == 200 and outcome(response) == "paid"
    assert "<h1>Paiement accepté</h1>" in page
    assert "Paiement par carte accepté : merci." in page
    assert "Votre dossier est réglé et confirmé." in page
    awaiting.refresh_from_db()
    assert awaiting.state == DossierState.CONFIRMED


def test_a_host_the_portal_does_not_name_falls_back_to_site_url(client, awaiting, settings):
    settings.SITE_URL = "http://portail.example"
    settings.ALLOWED_HOSTS = ["*"]  # a catch-all is no proof the host is the portal's
    card = start_card(client, awaiting, HTTP_HOST="ailleurs.example")
    assert card.return_origin == ""
    response = pay(client, card, "rejected", HTTP_HOST="ailleurs.example")
    assert response["Location"] == f"http://portail.example/paiements/carte/{card.token}/retour/"
    # Outside ALLOWED_HOSTS, Django refuses the request itself, with the portal's French 400 page.
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get(pay_url(awaiting), HTTP_HOST="ailleurs.example")
    assert response.status_code == 400


def test_the_return_page_says_refused_pending_or_error(client, awaiting):
    card = start_card(client, awaiting)
    # Back before paying: pending, nothing debited, the payment can be resumed.
    response = client.get(f"/paiements/carte/{card.token}/retour/")
    assert outcome(response) == "pending"
    page = text(response)
    assert "<h1>Paiement en attente</h1>" in page and "rien n'a été débité" in page
    assert f'href="/paiements/carte/{card.token}/"' in page  # « Reprendre le paiement »

    response = pay(client, card, "rejected", follow=True)
    assert outcome(response) == "refused"
    assert "<h1>Paiement refusé</h1>" in text(response)
    assert "a été refusé" in text(response)
    awaiting.refresh_from_db()
    assert awaiting.state == DossierState.AWAITING_PAYMENT

    # The provider failing (connection error) is an error, said as such — no server error.
    card.delete()
    client.post(pay_url(awaiting, "carte/"))
    card = CardPayment.objects.get(dossier=awaiting)
    response = pay(client, card, "waiting", gateway="failure", follow=True)
    assert response.status_code == 200 and outcome(response) == "error"
    assert "<h1>Erreur de paiement</h1>" in text(response)
    card.refresh_from_db()
    assert card.status == "error" and card.counted_at is None


def test_the_development_providers_page_is_in_french(client, awaiting):
    card = start_card(client, awaiting)
    page = text(client.get(f"/paiements/carte/{card.token}/"))
    for english in (">Status<", ">Fraud status<", ">Gateway response<", "3DS disabled", "Gateway connection error"):
        assert english not in page
    assert "Résultat du paiement" in page and "Contrôle anti-fraude" in page and "Réponse du prestataire" in page


def test_sepa_fields_say_they_are_required_and_errors_sit_next_to_them(client, awaiting):
    choose(client, awaiting, PaymentMode.SEPA)
    page = text(client.get(pay_url(awaiting)))
    sepa = page[page.index('id="sepa"'):]
    sepa = sepa[:sepa.index("</section>")]
    assert "(facultatif)" not in sepa
    assert sepa.count("(obligatoire)") == 3
    assert "les trois champs sont obligatoires" in sepa

    response = client.post(pay_url(awaiting, "mandat/"), {"holder_name": "", "iban": "", "bic": ""})
    assert response.status_code == 400
    page = text(response)
    for field, message in (("holder_name", "Indiquez le nom du titulaire du compte"),
                           ("iban", "Saisissez l'IBAN du compte à débiter."),
                           ("bic", "Saisissez le BIC de votre banque")):
        error = re.search(rf'id="id_{field}_error">(.*?)</div>', page, re.S)
        assert error and message in error[1], field
