"""A dossier's end states tell the truth about money: deleting an account
revokes the family's SEPA mandates (the next pain.008, parsed, debits it no
more), erases the account details once no debit can come back, tells the
finance workspace and sends the family a confirmation; a withdrawn or
refused dossier's mandate ends the same way, and its payment pages close."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from billing import services as billing_services
from billing.constants import MandateStatus, PaymentMode, RevocationReason
from billing.models import Mandate, PaymentArrangement
from notifications.models import MessageTemplate
from accounts.models import Child
from tests.factories import PASSWORD, FamilyFactory, UserFactory
from tests.forms.conftest import confirmed
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 — fixtures
from tests.workflows.conftest import submit_through_the_form
from workflows.constants import DossierState
from workflows.models import Dossier

from .conftest import GOOD_BIC, GOOD_IBAN, choose, pay_url

pytestmark = pytest.mark.django_db

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}
OTHER_IBAN = "FR1420041010050500013M02606"


def sign(client, dossier, *, holder: str, iban: str) -> Mandate:
    """The family fills in the mandate, downloads it, sends it back signed."""
    response = client.post(pay_url(dossier, "mandat/"), {"holder_name": holder, "iban": iban, "bic": GOOD_BIC})
    assert response.status_code == 302, response.content.decode()[:3000]
    pdf = client.get(pay_url(dossier, "mandat.pdf")).content
    upload = SimpleUploadedFile("mandat-signe.pdf", pdf, content_type="application/pdf")
    response = client.post(pay_url(dossier, "mandat/signe/"), {"document": upload})
    assert response.status_code == 302, response.content.decode()[:3000]
    return Mandate.objects.get(dossier=dossier, status=MandateStatus.SIGNED)


def confirmed_by_debit(client, dossier, parent, finance, *, holder: str, iban: str, capture) -> Mandate:
    client.force_login(parent)
    choose(client, dossier, PaymentMode.SEPA)
    mandate = sign(client, dossier, holder=holder, iban=iban)
    client.force_login(finance)
    with capture(execute=True):
        assert client.post(f"/cms/paiements/mandats/{mandate.pk}/valider/").status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CONFIRMED
    mandate.refresh_from_db()
    return mandate


def debits_in(xml: bytes) -> list[dict]:
    """Each debit of a pain.008 file: its mandate, debtor, IBAN and EndToEndId."""
    root = ET.fromstring(xml)
    return [
        {
            "rum": tx.findtext(".//p:MndtId", namespaces=NS),
            "debtor": tx.findtext("p:Dbtr/p:Nm", namespaces=NS),
            "iban": tx.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS),
            "end_to_end": tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
        }
        for tx in root.iter(f"{{{NS['p']}}}DrctDbtTxInf")
    ]


def export(client, month: dt.date):
    """« Exporter », then the file the month's page offers."""
    response = client.post("/cms/paiements/export/", {"month": f"{month:%Y-%m}"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(f"/cms/paiements/export/{month:%Y-%m}/fichier/")


@pytest.fixture
def neighbour(client, awaiting, director):
    """Another family's dossier on the same procedure, awaiting payment."""
    family = FamilyFactory(name="Lordinot")
    family.schools.add(awaiting.school)
    child = Child.objects.create(family=family, first_name="Noé", last_name="Lordinot", birth_date=dt.date(2020, 5, 2))
    parent = UserFactory(email="paul@example.org", first_name="Paul", last_name="Lordinot", family=family)
    confirmed(parent)
    client.force_login(parent)
    submission = submit_through_the_form(client, awaiting.submission.page.specific, child)
    dossier = Dossier.objects.get(submission=submission)
    client.force_login(director)
    assert client.post(f"/cms/dossiers/{dossier.pk}/decision/validate/", {"validate-comment": ""}).status_code == 302
    dossier.refresh_from_db()
    return dossier, parent


def test_deleting_the_account_stops_the_debit_then_erases_the_account_details(
    client, awaiting, parent, finance, neighbour, smtp, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    other, other_parent = neighbour
    mandate = confirmed_by_debit(client, awaiting, parent, finance, holder="Marie Joseph", iban=OTHER_IBAN,
                                 capture=capture)
    kept = confirmed_by_debit(client, other, other_parent, finance, holder="Paul Lordinot", iban=GOOD_IBAN,
                              capture=capture)
    first = PaymentArrangement.objects.get(dossier=awaiting).first_month
    first = max(first, PaymentArrangement.objects.get(dossier=other).first_month)

    # This month's file debits both families; the EndToEndId carries the whole RUM.
    response = export(client, first)
    assert response.status_code == 200, response.content.decode()[:2000]
    lines = {line["rum"]: line for line in debits_in(response.content)}
    assert set(lines) == {mandate.reference, kept.reference}
    assert lines[mandate.reference]["end_to_end"] == f"{mandate.reference}-{first:%Y%m}"
    assert lines[mandate.reference]["iban"] == OTHER_IBAN and lines[mandate.reference]["debtor"] == "Marie Joseph"

    # The family deletes its account.
    MessageTemplate.objects.filter(event="account_deleted").update(subject="Au revoir, famille {{ family.name }}")
    client.force_login(parent)
    with capture(execute=True):
        response = client.post("/compte/donnees/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302

    # The confirmation reached the address the account had, in the editors' wording.
    (message,) = [m for m in smtp.messages() if m["Subject"].startswith("Au revoir")]
    assert message["To"] == "marie@example.org" and message["Subject"] == "Au revoir, famille Joseph"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "aucun prélèvement ne sera plus fait" in body

    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.REVOKED
    assert mandate.revocation_reason == RevocationReason.ACCOUNT_DELETED
    # The month's debit went to the bank and may still come back: details kept for now.
    assert mandate.erased_at is None and mandate.iban

    # The finance workspace says so.
    client.force_login(finance)
    index = client.get("/cms/paiements/").content.decode()
    assert "Mandats révoqués récemment" in index
    assert mandate.reference in index and "Compte de la famille supprimé" in index
    assert "un prélèvement peut encore revenir" in index

    # Next month's file, parsed: the other family only — no RUM, name or IBAN of the deleted one.
    following = (first + dt.timedelta(days=32)).replace(day=1)
    response = export(client, following)
    assert response.status_code == 200, response.content.decode()[:2000]
    lines = debits_in(response.content)
    assert [line["rum"] for line in lines] == [kept.reference]
    assert "Marie Joseph" not in response.content.decode()
    assert OTHER_IBAN not in response.content.decode()
    # Nor when this month's file is exported again.
    again = debits_in(export(client, first).content)
    assert [line["rum"] for line in again] == [kept.reference]

    # Eight weeks after the last collection nothing can come back: the daily task erases.
    signed_name = mandate.signed_document.name
    storage = mandate.signed_document.storage
    last = mandate.debits.order_by("-collection_date").first().collection_date
    with capture(execute=True):
        assert billing_services.mandates_erase(now=timezone.now()) == 0
        later = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=57), dt.time(12)))
        assert billing_services.mandates_erase(now=later) == 1
        assert billing_services.mandates_erase(now=later) == 0  # safe twice
    mandate.refresh_from_db()
    assert mandate.erased_at is not None
    assert (mandate.holder_name, mandate.iban, mandate.bic, mandate.signed_document.name) == ("—", "", "", "")
    assert not storage.exists(signed_name)
    assert "effacées le" in client.get("/cms/paiements/").content.decode()
    kept.refresh_from_db()
    assert kept.status == MandateStatus.VALIDATED and kept.iban  # the neighbour is untouched


def test_a_withdrawn_dossier_revokes_its_mandate_and_closes_its_payment_pages(client, awaiting, parent, finance):
    dossier = awaiting
    choose(client, dossier, PaymentMode.SEPA)
    mandate = sign(client, dossier, holder="Marie Joseph", iban=GOOD_IBAN)

    response = client.post(f"/dossiers/{dossier.submission.public_id}/retirer/", {"confirm": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWN

    # No debit ever went out: revoked and erased at once.
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.REVOKED
    assert mandate.revocation_reason == RevocationReason.DOSSIER_WITHDRAWN
    assert mandate.erased_at is not None and mandate.iban == "" and mandate.holder_name == "—"

    # The payment pages answer no more; the dossier page offers no payment link.
    response = client.get(pay_url(dossier), follow=True)
    assert response.redirect_chain[-1][0] == f"/dossiers/{dossier.submission.public_id}/suivi/"
    page = response.content.decode()
    assert "Aucun paiement n&#39;est attendu pour ce dossier" in page
    assert f'href="/paiements/{dossier.submission.public_id}/"' not in page
    assert client.get(pay_url(dossier, "mandat.pdf")).status_code == 404
    assert client.get(pay_url(dossier, "bordereau.pdf")).status_code == 404
    response = client.post(pay_url(dossier, "mandat/"), {"holder_name": "X", "iban": GOOD_IBAN, "bic": GOOD_BIC})
    assert response.status_code == 404
    assert not Mandate.objects.filter(dossier=dossier).exclude(pk=mandate.pk).exists()

    client.force_login(finance)
    index = client.get("/cms/paiements/").content.decode()
    assert mandate.reference in index and "Dossier retiré par la famille" in index


def test_a_refused_dossier_shows_its_state_everywhere_and_asks_for_no_money(
    client, procedure, child, parent, director, creditor
):
    page = procedure(payment_required=True)
    page.confirmation_text = "<p>La direction de l'école l'examine.</p>"
    page.save_revision().publish()
    client.force_login(parent)
    submission = submit_through_the_form(client, page, child)
    dossier = Dossier.objects.get(submission=submission)
    assert "l'examine" in client.get(f"/dossiers/{submission.public_id}/").content.decode()

    client.force_login(director)
    response = client.post(f"/cms/dossiers/{dossier.pk}/decision/refuse/", {"refuse-comment": "Hors secteur."})
    assert response.status_code == 302
    client.force_login(parent)

    procedure_page = client.get(page.url).content.decode()
    assert "Refusé" in procedure_page and "Déposé" not in procedure_page
    detail = client.get(f"/dossiers/{submission.public_id}/").content.decode()
    assert "Refusé" in detail and "l'examine" not in detail
    follow = client.get(f"/dossiers/{submission.public_id}/suivi/").content.decode()
    assert "Refusé" in follow and f'href="/paiements/{submission.public_id}/"' not in follow
    response = client.get(pay_url(dossier))
    assert response.status_code == 302 and response["Location"] == f"/dossiers/{submission.public_id}/suivi/"
    assert "par le 20" not in client.get(pay_url(dossier), follow=True).content.decode()


def test_the_finance_page_lists_the_debits_right_after_the_export(
    client, awaiting, parent, finance, django_capture_on_commit_callbacks
):
    """Issue 24: « Exporter » answered with the file, so the page stayed as
    it was — « Aucun prélèvement exporté » — until reloaded. Now it comes
    back to the month's page, which lists the debit and offers the file."""
    mandate = confirmed_by_debit(client, awaiting, parent, finance, holder="Marie Joseph", iban=GOOD_IBAN,
                                 capture=django_capture_on_commit_callbacks)
    month = PaymentArrangement.objects.get(dossier=awaiting).first_month
    before = client.get(f"/cms/paiements/?mois={month:%Y-%m}").content.decode()
    assert "Aucun prélèvement exporté pour ce mois." in before
    assert "Télécharger le fichier pain.008" not in before

    response = client.post("/cms/paiements/export/", {"month": f"{month:%Y-%m}"}, follow=True)
    assert response.redirect_chain == [(f"/cms/paiements/?mois={month:%Y-%m}", 302)]
    html = response.content.decode()
    assert "Aucun prélèvement exporté pour ce mois." not in html
    assert mandate.reference in html and awaiting.reference in html
    assert "1 prélèvement exporté pour" in html
    link = f'href="/cms/paiements/export/{month:%Y-%m}/fichier/"'
    assert link in html and "(1 prélèvement)" in html

    xml = client.get(f"/cms/paiements/export/{month:%Y-%m}/fichier/")
    assert xml.status_code == 200 and xml["X-Debit-Count"] == "1"
    assert [line["rum"] for line in debits_in(xml.content)] == [mandate.reference]
    # The file is read only: downloading it again records nothing more.
    from billing.models import DirectDebit

    client.get(f"/cms/paiements/export/{month:%Y-%m}/fichier/")
    assert DirectDebit.objects.count() == 1
    # A month never exported has no file.
    assert client.get("/cms/paiements/export/2031-01/fichier/").status_code == 404
    assert client.get("/cms/paiements/export/janvier/fichier/").status_code == 404
