"""« Mes données » holds the payment part too: the arrangement, the
mandates with the IBAN masked to its last characters, the debits, the
payments received, and the signed mandate file."""

import io
import json
import zipfile

import pytest

from billing.constants import PaymentMode
from billing.models import Payment, PaymentArrangement
from tests.billing.conftest import (  # noqa: F401 — fixtures
    awaiting,
    child,
    choose,
    creditor,
    director,
    family,
    finance,
    home,
    parent,
    procedure,
    school,
)
from tests.billing.test_end_states import OTHER_IBAN, export, sign

pytestmark = pytest.mark.django_db


def test_the_data_archive_has_the_payment_part(client, awaiting, parent, finance, django_capture_on_commit_callbacks):
    dossier = awaiting
    choose(client, dossier, PaymentMode.SEPA)
    mandate = sign(client, dossier, holder="Marie Joseph", iban=OTHER_IBAN)
    client.force_login(finance)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/cms/paiements/mandats/{mandate.pk}/valider/").status_code == 302
    month = PaymentArrangement.objects.get(dossier=dossier).first_month
    assert export(client, month).status_code == 200
    signed = mandate.signed_document.open("rb").read()

    client.force_login(parent)
    response = client.get("/compte/donnees/telecharger/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    raw = archive.read("donnees.json").decode()
    assert OTHER_IBAN not in raw  # never the whole IBAN
    (entry,) = json.loads(raw)["dossiers"]
    payment = entry["paiement"]
    assert payment["reglement"]["mode"] == "Prélèvement automatique"
    assert payment["reglement"]["montant_mensuel"] == "45.50"
    (record,) = payment["mandats"]
    assert record["reference"] == mandate.reference and record["titulaire"] == "Marie Joseph"
    assert record["iban"] == f"•••• {OTHER_IBAN[-4:]}" and record["etat"] == "Validé"
    (debit,) = record["prelevements"]
    assert debit["mois"] == month.isoformat() and debit["montant"] == "45.50"
    assert payment["paiements_recus"] == [] and not Payment.objects.filter(dossier=dossier).exists()
    # The signed mandate, as the family sent it.
    assert record["mandat_signe"] in archive.namelist()
    assert archive.read(record["mandat_signe"]) == signed
