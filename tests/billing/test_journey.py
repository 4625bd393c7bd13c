"""From validated to confirmed through HTTP, by each of the three modes, and
through a rejected debit back to awaiting payment."""

from decimal import Decimal

import pytest
import xmlschema
from viewflow.workflow.status import PROCESS

from billing.constants import ArrangementStatus, DebitStatus, MandateStatus, PaymentMode
from billing.models import CardPayment, DirectDebit, Mandate, Payment, PaymentArrangement
from workflows.models import Attestation
from billing.sepa import schema_path
from notifications.constants import Event
from notifications.models import Notification
from tests.factories import ChildFactory, UserFactory
from workflows import services as workflow_services
from workflows.constants import DossierAction, DossierState

from .conftest import GOOD_BIC, GOOD_IBAN, ICS, choose, pay_url, pdf_text

pytestmark = pytest.mark.django_db


def sent(event, dossier) -> int:
    return Notification.objects.filter(event=event, object_id=str(dossier.pk)).count()


def sign_mandate(client, dossier) -> Mandate:
    response = client.post(pay_url(dossier, "mandat/"),
                           {"holder_name": "Marie Joseph", "iban": GOOD_IBAN, "bic": GOOD_BIC})
    assert response.status_code == 302, response.content.decode()[:3000]
    mandate = Mandate.objects.get(dossier=dossier)
    assert mandate.status == MandateStatus.AWAITING_SIGNATURE

    # The pre-filled mandate: RUM, the operator's creditor identifier, the account.
    response = client.get(pay_url(dossier, "mandat.pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Mandat de prélèvement SEPA" in text
    assert mandate.reference in text and ICS in text
    assert "FR76 3000 6000 0112 3456 7890 189" in text and "Marie Joseph" in text
    assert dossier.reference in text and "45,50 €" in text

    # The family sends it back signed (here, the PDF itself).
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("mandat-signe.pdf", response.content, content_type="application/pdf")
    response = client.post(pay_url(dossier, "mandat/signe/"), {"document": upload})
    assert response.status_code == 302, response.content.decode()[:3000]
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.SIGNED and mandate.signed_document
    assert "le service financier le vérifie" in client.get(pay_url(dossier)).content.decode()
    return mandate


def test_sepa_from_validated_to_confirmed_then_a_rejected_debit_and_cash(
    client, awaiting, parent, finance, django_capture_on_commit_callbacks
):
    dossier = awaiting
    # The family sees the tariffs before choosing, and the action on its dossier page.
    follow = client.get(f"/dossiers/{dossier.submission.public_id}/suivi/").content.decode()
    assert f'href="/paiements/{dossier.submission.public_id}/"' in follow
    page = client.get(pay_url(dossier)).content.decode()
    assert "Restauration scolaire (cantine)" in page and "45,50 €" in page and "30,00 €" in page

    tariff, first = choose(client, dossier, PaymentMode.SEPA)
    arrangement = PaymentArrangement.objects.get(dossier=dossier)
    assert arrangement.amount == Decimal("45.50") and arrangement.first_month == first
    mandate = sign_mandate(client, dossier)

    # The finance agent finds it, reads the signed mandate (audited) and validates it.
    client.force_login(finance)
    index = client.get("/cms/paiements/").content.decode()
    assert mandate.reference in index
    assert client.get(f"/cms/paiements/mandats/{mandate.pk}/").status_code == 200
    document = client.get(f"/cms/paiements/mandats/{mandate.pk}/document/")
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert dossier.events.filter(action=DossierAction.DOCUMENT_VIEWED, actor=finance).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cms/paiements/mandats/{mandate.pk}/valider/")
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CONFIRMED
    assert workflow_services.dossier_process(dossier).status == PROCESS.DONE
    assert sent(Event.MANDATE_VALIDATED, dossier) == 1 and sent(Event.DOSSIER_CONFIRMED, dossier) == 1
    assert Payment.objects.filter(dossier=dossier).count() == 0  # a validated arrangement, not money yet

    # The attestation was made by the task and is offered to the family only.
    attestation = Attestation.objects.get(dossier=dossier)
    client.force_login(parent)
    follow = client.get(f"/dossiers/{dossier.submission.public_id}/suivi/").content.decode()
    assert "attestation.pdf" in follow
    response = client.get(f"/dossiers/{dossier.submission.public_id}/attestation.pdf")
    assert response.status_code == 200
    text = pdf_text(b"".join(response.streaming_content))
    assert "Attestation d'inscription" in text and "Léa Joseph" in text and dossier.reference in text
    assert attestation.file.name.startswith("attestations/")

    # The month's pain.008 file validates against its schema.
    client.force_login(finance)
    response = client.post("/cms/paiements/export/", {"month": f"{first:%Y-%m}"})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.get(f"/cms/paiements/export/{first:%Y-%m}/fichier/")
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["Content-Type"].startswith("application/xml")
    xmlschema.XMLSchema(schema_path()).validate(response.content.decode())
    xml = response.content.decode()
    assert mandate.reference in xml and ICS in xml and "45.50" in xml and "<SeqTp>FRST</SeqTp>" in xml
    # Exported again: the same single debit.
    again = client.post("/cms/paiements/export/", {"month": f"{first:%Y-%m}"})
    assert again.status_code == 302 and DirectDebit.objects.count() == 1

    # The bank rejects it: the dossier waits for payment again, the family is told.
    debit = DirectDebit.objects.get()
    response = client.post(f"/cms/paiements/prelevements/{debit.pk}/rejeter/", {"reject-reason": ""})
    debit.refresh_from_db()
    assert debit.status == DebitStatus.EXPORTED  # no reason, nothing done
    response = client.post(f"/cms/paiements/prelevements/{debit.pk}/rejeter/",
                           {"reject-reason": "Provision insuffisante"}, follow=True)
    assert "attend de nouveau le paiement" in response.content.decode()
    dossier.refresh_from_db()
    debit.refresh_from_db()
    assert debit.status == DebitStatus.REJECTED
    assert dossier.state == DossierState.AWAITING_PAYMENT
    assert sent(Event.DEBIT_REJECTED, dossier) == 1
    # Rejecting twice changes nothing more.
    response = client.post(f"/cms/paiements/prelevements/{debit.pk}/rejeter/",
                           {"reject-reason": "Provision insuffisante"}, follow=True)
    assert "déjà marqué rejeté" in response.content.decode()
    assert sent(Event.DEBIT_REJECTED, dossier) == 1

    client.force_login(parent)
    follow = client.get(f"/dossiers/{dossier.submission.public_id}/suivi/").content.decode()
    assert "Provision insuffisante" in follow and "Régler le paiement" in follow

    # The family now pays cash; the finance agent records it; confirmed again.
    choose(client, dossier, PaymentMode.CASH)
    client.force_login(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cms/paiements/especes/{dossier.pk}/",
                               {"amount": "45,50", "receipt_number": "R-2026-0001"})
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CONFIRMED
    assert Payment.objects.filter(dossier=dossier).count() == 1
    assert Attestation.objects.filter(dossier=dossier).count() == 1  # made once


def test_card_payment_confirmed_by_the_provider_counts_once(client, awaiting, django_capture_on_commit_callbacks):
    dossier = awaiting
    choose(client, dossier, PaymentMode.CARD)
    response = client.post(pay_url(dossier, "carte/"))
    assert response.status_code == 302
    card = CardPayment.objects.get(dossier=dossier)
    assert card.total == Decimal("45.50") and card.variant == "dummy"
    assert response["Location"] == f"/paiements/carte/{card.token}/"

    # Coming back to the return page before paying counts nothing.
    response = client.get(f"/paiements/carte/{card.token}/retour/", follow=True)
    assert "pas abouti" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.AWAITING_PAYMENT

    page = client.get(f"/paiements/carte/{card.token}/")
    assert page.status_code == 200 and "45,50 €" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/paiements/carte/{card.token}/", {
            "status": "confirmed", "fraud_status": "accept", "gateway_response": "3ds-disabled",
        })
    assert response.status_code == 302
    dossier.refresh_from_db()
    card.refresh_from_db()
    assert dossier.state == DossierState.CONFIRMED and card.counted_at is not None
    assert Payment.objects.filter(dossier=dossier, mode=PaymentMode.CARD, amount=Decimal("45.50")).count() == 1
    response = client.get(f"/paiements/carte/{card.token}/retour/", follow=True)
    assert "Paiement par carte accepté" in response.content.decode()

    # The provider's confirmation replayed (its callback, then our page): counted once.
    for _ in range(2):
        response = client.get(f"/paiements/prestataire/process/{card.token}/?verification_result=confirmed")
        assert response.status_code == 302
    response = client.post(f"/paiements/carte/{card.token}/", {
        "status": "confirmed", "fraud_status": "accept", "gateway_response": "3ds-disabled"}, follow=True)
    assert "déjà été traité" in response.content.decode()
    assert Payment.objects.filter(dossier=dossier).count() == 1
    assert sent(Event.PAYMENT_RECEIVED, dossier) == 1 and sent(Event.DOSSIER_CONFIRMED, dossier) == 1
    assert Attestation.objects.filter(dossier=dossier).count() == 1

    # A confirmation for an unknown payment is refused.
    response = client.get("/paiements/prestataire/process/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404


def test_card_payment_declined_does_not_count(client, awaiting):
    choose(client, awaiting, PaymentMode.CARD)
    client.post(pay_url(awaiting, "carte/"))
    card = CardPayment.objects.get(dossier=awaiting)
    response = client.post(f"/paiements/carte/{card.token}/", {
        "status": "rejected", "fraud_status": "reject", "gateway_response": "3ds-disabled"}, follow=True)
    assert "pas abouti" in response.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.state == DossierState.AWAITING_PAYMENT and not Payment.objects.exists()


def test_card_confirmation_for_an_already_paid_dossier_is_not_counted(client, awaiting, finance):
    dossier = awaiting
    choose(client, dossier, PaymentMode.CARD)
    client.post(pay_url(dossier, "carte/"))
    card = CardPayment.objects.get(dossier=dossier)
    # Meanwhile the family paid cash at the desk.
    client.force_login(finance)
    assert client.post(f"/cms/paiements/especes/{dossier.pk}/",
                       {"amount": "45.50", "receipt_number": "R-1"}).status_code == 302
    # Then the provider confirms the card payment.
    response = client.get(f"/paiements/prestataire/process/{card.token}/?verification_result=confirmed")
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.counted_at is None and card.refusal == "dossier déjà réglé"
    assert Payment.objects.filter(dossier=dossier).count() == 1
    assert "à rembourser" in client.get("/cms/paiements/").content.decode()


def test_card_payment_for_another_amount_is_not_counted(client, awaiting):
    choose(client, awaiting, PaymentMode.CARD)
    client.post(pay_url(awaiting, "carte/"))
    card = CardPayment.objects.get(dossier=awaiting)
    CardPayment.objects.filter(pk=card.pk).update(total=Decimal("1.00"))  # tampered on the way
    client.get(f"/paiements/prestataire/process/{card.token}/?verification_result=confirmed")
    card.refresh_from_db()
    awaiting.refresh_from_db()
    assert card.counted_at is None and "montant différent du tarif" in card.refusal
    assert awaiting.state == DossierState.AWAITING_PAYMENT and not Payment.objects.exists()


def test_cash_with_slip_and_receipt(client, awaiting, finance, django_capture_on_commit_callbacks):
    dossier = awaiting
    choose(client, dossier, PaymentMode.CASH)
    page = client.get(pay_url(dossier)).content.decode()
    assert "appoint" in page
    response = client.get(pay_url(dossier, "bordereau.pdf"))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Bordereau de paiement en espèces" in text and dossier.reference in text and "45,50 €" in text
    assert "appoint" in text

    client.force_login(finance)
    assert dossier.reference in client.get("/cms/paiements/").content.decode()
    # An amount that does not match the tariff.
    response = client.post(f"/cms/paiements/especes/{dossier.pk}/", {"amount": "40", "receipt_number": "A-17"})
    assert response.status_code == 400
    assert "Le montant ne correspond pas au tarif : 45,50 € sont attendus" in response.content.decode()
    response = client.post(f"/cms/paiements/especes/{dossier.pk}/", {"amount": "quarante", "receipt_number": "A-17"})
    assert response.status_code == 400 and "par exemple 45,50" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cms/paiements/especes/{dossier.pk}/", {"amount": "45,50", "receipt_number": "a-17"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CONFIRMED
    payment = Payment.objects.get(dossier=dossier)
    assert payment.receipt_number == "A-17" and payment.recorded_by == finance and payment.on_time
    assert sent(Event.PAYMENT_RECEIVED, dossier) == 1
    # Recording it again is refused: the dossier is paid.
    response = client.post(f"/cms/paiements/especes/{dossier.pk}/", {"amount": "45,50", "receipt_number": "A-18"})
    assert response.status_code == 400 and "déjà réglé" in response.content.decode()
    assert Payment.objects.count() == 1


def test_a_second_cash_receipt_with_the_same_number_is_refused(client, awaiting, finance, procedure, family,
                                                                director):
    choose(client, awaiting, PaymentMode.CASH)
    client.force_login(finance)
    assert client.post(f"/cms/paiements/especes/{awaiting.pk}/",
                       {"amount": "45,50", "receipt_number": "R-9"}).status_code == 302
    # Another dossier of the same school awaiting cash.
    from billing.services import arrangement_choose
    from billing.selectors import first_month_choices, tariffs_for
    from tests.billing.conftest import submit_through_the_form
    from workflows.models import Dossier

    other_child = ChildFactory(family=family, first_name="Noé")
    parent2 = UserFactory(family=family, email="paul@example.org")
    from tests.forms.conftest import confirmed
    confirmed(parent2)
    client.force_login(parent2)
    page = procedure(payment_required=True)
    other = Dossier.objects.get(submission=submit_through_the_form(client, page, other_child))
    workflow_services.dossier_validate(dossier=other, by=director)
    other.refresh_from_db()
    arrangement_choose(dossier=other, by=parent2, tariff=tariffs_for(dossier=other).first(),
                       first_month=first_month_choices(dossier=other)[0], mode=PaymentMode.CASH)
    client.force_login(finance)
    response = client.post(f"/cms/paiements/especes/{other.pk}/", {"amount": "30,00", "receipt_number": "r-9"})
    assert response.status_code == 400
    assert f"Le reçu n° R-9 est déjà enregistré (dossier {awaiting.reference})" in response.content.decode()
    other.refresh_from_db()
    assert other.state == DossierState.AWAITING_PAYMENT and Payment.objects.count() == 1
    assert PaymentArrangement.objects.get(dossier=other).status == ArrangementStatus.CHOSEN
