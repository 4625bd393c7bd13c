"""The attestation fiscale of childcare costs (« frais de garde des enfants
de moins de 6 ans »): the garderie a family paid during a calendar year, per
child under 6 on the 1st of January, read on « Attestations fiscales » and as
a PDF with the editors' text. The amounts are recomputed here from the
calendar days by hand (``expected_days``)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Child
from billing import services
from billing.constants import BillStatus
from billing.models import Absence, Bill, BillLine, ProcedureService
from forms.models import Submission
from tests.billing.conftest import finance, operator_creditor, pdf_text  # noqa: F401
from tests.billing.test_month_amounts import (  # noqa: F401 — fixtures
    editor_client,
    expected_days,
    year_of_services,
)
from tests.factories import FamilyFactory, UserFactory
from tests.workflows.conftest import family, home, parent, school  # noqa: F401
from workflows.models import Dossier

pytestmark = pytest.mark.django_db

MTQ = dt.timezone(dt.timedelta(hours=-4))
OCTOBER, NOVEMBER, DECEMBER, JANUARY = (dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1),
                                        dt.date(2027, 1, 1))
GARDERIE = Decimal("2.50")
SETTINGS_URL = "/cms/settings/billing/fiscalattestationsettings/"


def _pdf(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)


def _issue(month: dt.date) -> Bill:
    # Each month's bill goes out on the 21st two months before.
    issued = dt.datetime(month.year if month.month > 2 else month.year - 1, (month.month - 3) % 12 + 1, 21, 6,
                         tzinfo=MTQ)
    assert services.bills_issue(month=month, now=issued) == 1
    return Bill.objects.get(month=month)


def _cash(bill: Bill, by, received_at: dt.datetime, receipt: str) -> None:
    services.bill_cash_record(bill=bill, by=by, amount=bill.total, receipt_number=receipt, received_at=received_at)
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID


@pytest.fixture
def paid_year(year_of_services, finance):  # noqa: F811
    """Léa (born 14 March 2020, 5 on 1 January 2026) and Noé (born 2018,
    7) both go to the garderie every day of class, and to the canteen.
    October, November and January are paid in 2026 (January at the cash
    desk on 31 December, 23:30 in Martinique — already 2027 in UTC);
    December is not paid. One of Léa's garderie days in October is an
    absence credited on November's bill."""
    noe = Dossier.objects.get(child__first_name="Noé")
    answers = dict(noe.submission.answers, garderie="oui")
    Submission.objects.filter(pk=noe.submission_id).update(answers=answers)
    lea = Dossier.objects.get(child__first_name="Léa")
    garderie = ProcedureService.objects.get(name="Garderie du soir")
    october = _issue(OCTOBER)
    absent_on = expected_days({0, 1, 3, 4}, OCTOBER)[0]
    Absence.objects.create(dossier=lea, service=garderie, day=absent_on, reason="Maladie avec certificat médical",
                           credited_on=NOVEMBER, declared_at=timezone.now())
    november, december, january = _issue(NOVEMBER), _issue(DECEMBER), _issue(JANUARY)
    _cash(october, finance, dt.datetime(2026, 9, 30, 10, tzinfo=MTQ), "R-001")
    _cash(november, finance, dt.datetime(2026, 10, 15, 10, tzinfo=MTQ), "R-002")
    _cash(january, finance, dt.datetime(2026, 12, 31, 23, 30, tzinfo=MTQ), "R-003")
    assert december.status == BillStatus.TO_PAY
    return {"lea": lea.child, "noe": noe.child, "family": year_of_services, "november": november}


def test_the_garderie_paid_for_a_child_under_six_with_the_editors_text(
        client, editor_client, paid_year, parent):  # noqa: F811
    lea, noe, family = paid_year["lea"], paid_year["noe"], paid_year["family"]
    # The credit of Léa's absence is a garderie line of her dossier.
    credit = BillLine.objects.get(bill=paid_year["november"], amount__lt=0)
    assert credit.kind == "after_school" and credit.dossier.child == lea and credit.amount == -GARDERIE
    # By hand: every day of class of the months paid in 2026, less one day;
    # December unpaid, the canteen never.
    days = sum(len(expected_days({0, 1, 3, 4}, month)) for month in (OCTOBER, NOVEMBER, JANUARY)) - 1
    expected = days * GARDERIE
    assert expected == Decimal("105.00")  # 43 days of class in these three months, one absent
    shown = f"{expected:.2f}".replace(".", ",") + " €"

    # The editors write the text (« Paramètres › Attestation fiscale »).
    response = editor_client.get(SETTINGS_URL, follow=True)
    edit_url = response.redirect_chain[-1][0] if response.redirect_chain else SETTINGS_URL
    assert response.status_code == 200 and "/login/" not in edit_url
    assert "Mots remplacés" in response.content.decode()
    response = editor_client.post(edit_url, {
        "title": "Attestation de frais de garde",
        "body": "La SOGES certifie que {famille} a payé {montant} en {annee} pour la garde de {enfant} "
                "({date_naissance}).",
        "signature": "La directrice financière",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    # A word the text cannot use is refused.
    response = editor_client.post(edit_url, {"title": "X", "body": "Bonjour {enfant.__class__}", "signature": ""})
    assert response.status_code == 200 and "n&#x27;est pas un mot connu" in response.content.decode()
    operator_creditor()

    client.force_login(parent)
    listing = client.get("/paiements/factures/").content.decode()
    assert 'href="/paiements/attestations-fiscales/"' in listing
    page = client.get("/paiements/attestations-fiscales/").content.decode()
    assert "Année 2026" in page and "Année 2027" not in page
    assert "Léa Joseph" in page and shown in page and "14 mars 2020" in page
    assert "Noé" not in page  # 7 on 1 January 2026
    assert f'href="/paiements/attestations-fiscales/2026/{lea.pk}.pdf"' in page

    text = _pdf(client.get(f"/paiements/attestations-fiscales/2026/{lea.pk}.pdf"))
    assert "Attestation de frais de garde" in text
    assert f"La SOGES certifie que {family.name} a payé {shown} en 2026 pour la garde de Léa Joseph" in " ".join(
        text.split())
    for expected_text in ("SOGES Martinique", "14 mars 2020", "La directrice financière",
                          "Frais de garde payés en 2026", shown):
        assert expected_text in text, expected_text
    assert "Cantine" not in text

    # Noé, another year, an unknown child: nothing.
    for url in (f"/paiements/attestations-fiscales/2026/{noe.pk}.pdf", f"/paiements/attestations-fiscales/2025/"
                f"{lea.pk}.pdf", "/paiements/attestations-fiscales/2026/999999.pdf"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("paid_on", [dt.datetime(2026, 12, 20, 9, tzinfo=MTQ),
                                     dt.datetime(2027, 1, 2, 9, tzinfo=MTQ)])
def test_the_unpaid_bill_counts_in_the_year_it_is_paid(client, paid_year, parent, finance, paid_on):  # noqa: F811
    lea = paid_year["lea"]
    december = Bill.objects.get(month=DECEMBER)
    client.force_login(parent)
    assert "105,00 €" in client.get("/paiements/attestations-fiscales/").content.decode()
    _cash(december, finance, paid_on, "R-004")
    page = client.get("/paiements/attestations-fiscales/").content.decode()
    if paid_on.year == 2026:
        total = Decimal("105.00") + len(expected_days({0, 1, 3, 4}, DECEMBER)) * GARDERIE
    else:
        total = Decimal("105.00")  # paid in 2027, when Léa was 6 on the 1st of January: no attestation
    shown = f"{total:.2f}".replace(".", ",") + " €"
    assert "Année 2026" in page and shown in page and "Année 2027" not in page
    assert shown in _pdf(client.get(f"/paiements/attestations-fiscales/2026/{lea.pk}.pdf"))
    assert client.get(f"/paiements/attestations-fiscales/2027/{lea.pk}.pdf").status_code == 404


def test_another_family_and_staff_get_nothing(client, paid_year, finance):  # noqa: F811
    lea = paid_year["lea"]
    url = f"/paiements/attestations-fiscales/2026/{lea.pk}.pdf"
    other_family = FamilyFactory(name="Autre")
    Child.objects.create(family=other_family, first_name="Zoé", last_name="Autre", birth_date=dt.date(2022, 1, 5))
    client.force_login(UserFactory(family=other_family))
    assert client.get(url).status_code == 404
    page = client.get("/paiements/attestations-fiscales/")
    assert page.status_code == 200 and "Léa" not in page.content.decode()
    client.force_login(finance)
    assert client.get(url).status_code == 404
    assert client.get("/paiements/attestations-fiscales/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_migration_0012_fills_the_kind_of_the_lines_issued_before(paid_year):
    """Lines issued before 0012 had no kind, and their credits no dossier:
    its data step finds them from the service of that name in the dossier's
    procedure (the credit's child among the family's dossiers)."""
    import importlib

    from django.apps import apps

    fill_kinds = importlib.import_module("billing.migrations.0012_fiscal_attestation").fill_kinds
    before = {line.pk: (line.kind, line.dossier_id) for line in BillLine.objects.all()}
    assert {kind for kind, _dossier in before.values()} >= {"canteen", "after_school", "study"}
    credit = BillLine.objects.get(bill=paid_year["november"], amount__lt=0)
    BillLine.objects.update(kind="")
    BillLine.objects.filter(pk=credit.pk).update(dossier=None)
    fill_kinds(apps, None)
    assert {line.pk: (line.kind, line.dossier_id) for line in BillLine.objects.all()} == before
