"""One bill per family and month: issued by the task on the 21st, read on
« Mes factures » and as a PDF, paid by card, at the cash desk by its number
or by the SEPA mandate, reminded and flagged overdue. Totals are recomputed
here from the calendar days by hand (``expected_days``), never with the
code's own count."""

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
import xmlschema
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Family
from billing import deadlines, reservations, services, tasks
from billing.constants import BillStatus, MandateStatus, PaymentMode
from billing.models import Bill, BillLine, CardPayment, DirectDebit, Mandate, Payment, ProcedureService
from billing.sepa import schema_path
from notifications.constants import Event
from notifications.models import Notification
from tests.billing.conftest import ICS, awaiting, creditor, finance, operator_creditor, pdf_text  # noqa: F401
from tests.billing.test_month_amounts import (  # noqa: F401 — fixtures
    YEAR,
    editor_client,
    expected_days,
    year_of_services,
)
from tests.factories import DossierFactory, UserFactory
from tests.workflows.conftest import child, director, family, home, parent, procedure, school  # noqa: F401
from workflows.constants import DossierState
from workflows.models import Dossier

pytestmark = pytest.mark.django_db

DECEMBER, JANUARY = dt.date(2026, 12, 1), dt.date(2027, 1, 1)
MTQ = dt.timezone(dt.timedelta(hours=-4))


def expected_total(month: dt.date) -> Decimal:
    """Léa: cantine Monday and Tuesday (3,80 € by default) + garderie every
    day (2,50 €); Noé: cantine four days; each a 5 € monthly membership."""
    two, four = expected_days({0, 1}, month), expected_days({0, 1, 3, 4}, month)
    return (len(two) * Decimal("3.80") + len(four) * Decimal("2.50") + len(four) * Decimal("3.80")
            + Decimal("10.00"))


def run_task_on(monkeypatch, moment: dt.datetime) -> None:
    """The Huey periodic task, run (immediate mode) as on ``moment``."""
    monkeypatch.setattr(timezone, "now", lambda: moment)
    tasks.bills_issue_next_month()


def card_pay(client, bill) -> CardPayment:
    response = client.post(f"/paiements/factures/{bill.number}/carte/")
    assert response.status_code == 302, response
    card = CardPayment.objects.filter(bill=bill).latest("pk")
    assert response["Location"] == f"/paiements/carte/{card.token}/"
    assert card.total == bill.total and card.dossier_id is None
    response = client.post(f"/paiements/carte/{card.token}/", {
        "status": "confirmed", "fraud_status": "accept", "gateway_response": "3ds-disabled"})
    assert response.status_code == 302
    return card


def test_the_familys_bill_issued_on_the_21st_paid_by_card_then_next_month_by_sepa(
        client, year_of_services, parent, finance, monkeypatch, django_capture_on_commit_callbacks):  # noqa: F811
    family = year_of_services
    # 21 October, 06:00 in Martinique, the day after November locked:
    # December's bills, due by December's own cut-off (20 November).
    run_task_on(monkeypatch, dt.datetime(2026, 10, 21, 6, 0, tzinfo=MTQ))
    bill = Bill.objects.get(family=family)
    assert bill.month == DECEMBER and bill.number == "F2026-000001"
    assert bill.due_date == dt.date(2026, 11, 20) and bill.status == BillStatus.TO_PAY
    assert expected_total(DECEMBER) == Decimal("98.30")  # 5 Mondays/Tuesdays, 11 days of class before Christmas
    assert bill.total == expected_total(DECEMBER)
    lines = {(line.child, line.service): (line.quantity, line.unit_price, line.amount, line.days)
             for line in bill.lines.all()}
    two = [d.isoformat() for d in expected_days({0, 1}, DECEMBER)]
    four = [d.isoformat() for d in expected_days({0, 1, 3, 4}, DECEMBER)]
    assert lines[("Léa Joseph", "Cantine")] == (5, Decimal("3.80"), Decimal("19.00"), two)
    assert lines[("Léa Joseph", "Garderie du soir")] == (11, Decimal("2.50"), Decimal("27.50"), four)
    assert lines[("Noé Joseph", "Cantine")] == (11, Decimal("3.80"), Decimal("41.80"), four)
    assert len(lines) == 5

    # Run again (the task twice, the command): nothing more.
    run_task_on(monkeypatch, dt.datetime(2026, 10, 21, 6, 5, tzinfo=MTQ))
    call_command("issue_bills", "--month", "2026-12")
    assert Bill.objects.count() == 1
    monkeypatch.undo()

    # « Mes factures »: linked from the navigation, the bill and its PDF.
    client.force_login(parent)
    page = client.get("/dossiers/").content.decode()
    assert 'href="/paiements/factures/"' in page
    listing = client.get("/paiements/factures/").content.decode()
    assert bill.number in listing and "98,30 €" in listing and "À payer" in listing
    detail = client.get(f"/paiements/factures/{bill.number}/").content.decode()
    assert "Garderie du soir" in detail and "11 × 2,50 €" in detail and "98,30 €" in detail
    response = client.get(f"/paiements/factures/{bill.number}/facture.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    assert f"Facture n° {bill.number}" in text and family.name in text
    for expected in ("Léa Joseph", "Noé Joseph", "Cantine", "Garderie du soir", "5 × 3,80 €", "11 × 2,50 €",
                     "98,30 €", "20 novembre 2026", "décembre 2026", "Référence à donner au guichet"):
        assert expected in text, expected
    assert "1, 7, 8, 14, 15" in text  # Léa's canteen days
    assert client.get(f"/paiements/factures/{bill.number}/recu.pdf").status_code == 404  # not paid yet

    # Paid by card; the provider's confirmation replayed counts once.
    with django_capture_on_commit_callbacks(execute=True):
        card = card_pay(client, bill)
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID and bill.to_refund == 0
    assert Payment.objects.filter(bill=bill, mode=PaymentMode.CARD, amount=Decimal("98.30")).count() == 1
    for _ in range(2):
        assert client.get(f"/paiements/prestataire/process/{card.token}/?verification_result=confirmed"
                          ).status_code == 302
    assert Payment.objects.filter(bill=bill).count() == 1
    assert "Votre facture est payée" in client.get(f"/paiements/carte/{card.token}/retour/").content.decode()
    assert Notification.objects.filter(event=Event.PAYMENT_RECEIVED).count() >= 1
    receipt = client.get(f"/paiements/factures/{bill.number}/recu.pdf")
    text = pdf_text(b"".join(receipt.streaming_content) if receipt.streaming else receipt.content)
    assert f"Reçu — facture n° {bill.number}" in text and "Carte bancaire : 98,30 €" in text
    # Paid: no second card payment can start, the desk refuses cash.
    response = client.post(f"/paiements/factures/{bill.number}/carte/", follow=True)
    assert "n'est pas à payer" in unescape(response.content.decode())
    client.force_login(finance)
    response = client.post("/cms/paiements/factures/especes/", {
        "number": bill.number, "amount": "98,30", "receipt_number": "R-1"})
    assert response.status_code == 400 and "n'est pas à payer" in unescape(response.content.decode()), response.context["form"].errors

    # January by SEPA: the family's validated mandate (on Léa's dossier) is
    # debited with the bill's amount.
    lea = Dossier.objects.get(child__first_name="Léa")
    mandate = Mandate.objects.create(
        dossier=lea, reference=f"INSCRIRE-{lea.reference}-01", creditor_name="SOGES", creditor_identifier=ICS,
        holder_name="Marie Joseph", iban="FR7630006000011234567890189", bic="AGRIFRPP",
        status=MandateStatus.VALIDATED, signed_at=dt.date(2026, 11, 25), validated_at=timezone.now())
    # Before December locks, the family cancels Léa's canteen on Monday 14
    # December: December's bill, paid, stays as it is; January's bill gives
    # the day back.
    canteen = ProcedureService.objects.get(name="Cantine")
    reservations.reservation_cancel(dossier=lea, service=canteen, day=dt.date(2026, 12, 14), by=parent,
                                    now=dt.datetime(2026, 11, 10, 9, tzinfo=MTQ))
    run_task_on(monkeypatch, dt.datetime(2026, 11, 21, 6, 0, tzinfo=MTQ))
    monkeypatch.undo()
    january = Bill.objects.get(family=family, month=JANUARY)
    assert january.number == "F2026-000002" and january.due_date == dt.date(2026, 12, 20)
    assert january.total == expected_total(JANUARY) - Decimal("3.80")
    regularisation = january.lines.get(consumption_month=DECEMBER)
    assert (regularisation.service, regularisation.quantity, regularisation.amount, regularisation.days) == (
        "Cantine", -1, Decimal("-3.80"), ["2026-12-14"])
    client.force_login(parent)
    page = unescape(client.get(f"/paiements/factures/{january.number}/").content.decode())
    assert "Régularisation de décembre 2026 : Cantine" in page and "-1 × 3,80 €" in page
    bill.refresh_from_db()
    assert bill.total == expected_total(DECEMBER) and bill.status == BillStatus.PAID
    operator_creditor()
    client.force_login(finance)
    response = client.post("/cms/paiements/export/", {"month": "2027-01"})
    assert response.status_code == 302 and response["Location"] == "/cms/paiements/?mois=2027-01"
    response = client.get("/cms/paiements/export/2027-01/fichier/")
    assert response.status_code == 200, response.content.decode()[:2000]
    xml = response.content.decode()
    xmlschema.XMLSchema(schema_path()).validate(xml)
    amount = f"{january.total:.2f}"
    assert f"<InstdAmt Ccy=\"EUR\">{amount}</InstdAmt>" in xml and mandate.reference in xml
    assert f"Facture {january.number}" in xml
    debit = DirectDebit.objects.get()
    assert debit.bill == january and debit.amount == january.total
    january.refresh_from_db()
    assert january.status == BillStatus.PAID
    client.force_login(parent)
    receipt = client.get(f"/paiements/factures/{january.number}/recu.pdf")
    text = pdf_text(b"".join(receipt.streaming_content) if receipt.streaming else receipt.content)
    assert f"Prélèvement SEPA ({mandate.reference})" in text and amount.replace(".", ",") + " €" in text
    client.force_login(finance)
    # Exported again: the same single debit; December's paid bill is not debited.
    assert client.post("/cms/paiements/export/", {"month": "2027-01"}).status_code == 302
    assert DirectDebit.objects.count() == 1
    # The bank rejects it: the bill is to pay again, the dossiers stay confirmed.
    index = client.get("/cms/paiements/?mois=2027-01").content.decode()
    assert f"facture {january.number}" in index
    response = client.post(f"/cms/paiements/prelevements/{debit.pk}/rejeter/",
                           {"reject-reason": "Provision insuffisante"}, follow=True)
    assert f"la facture {january.number} est de nouveau à payer" in unescape(response.content.decode())
    january.refresh_from_db()
    lea.refresh_from_db()
    assert january.status == BillStatus.TO_PAY and lea.state == DossierState.CONFIRMED
    # Cash at the desk, by the bill's reference.
    response = client.post("/cms/paiements/factures/especes/", {
        "number": january.number.lower(), "amount": "1,00", "receipt_number": "R-2"})
    assert response.status_code == 400 and "ne correspond pas" in response.content.decode()
    response = client.post("/cms/paiements/factures/especes/", {
        "number": january.number, "amount": str(january.total).replace(".", ","), "receipt_number": "R-2"})
    assert response.status_code == 302
    january.refresh_from_db()
    assert january.status == BillStatus.PAID
    assert Payment.objects.get(receipt_number="R-2").bill == january


def test_a_card_payment_confirmed_after_the_bill_was_paid_is_kept_to_refund(
        client, year_of_services, parent, finance):  # noqa: F811
    services.bills_issue(month=DECEMBER, now=dt.datetime(2026, 11, 21, 6, tzinfo=MTQ))
    bill = Bill.objects.get()
    client.force_login(parent)
    first = client.post(f"/paiements/factures/{bill.number}/carte/")
    second = client.post(f"/paiements/factures/{bill.number}/carte/")
    cards = list(CardPayment.objects.filter(bill=bill).order_by("pk"))
    assert len(cards) == 2 and first["Location"] != second["Location"]
    for card in cards:
        client.post(f"/paiements/carte/{card.token}/", {
            "status": "confirmed", "fraud_status": "accept", "gateway_response": "3ds-disabled"})
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID and bill.to_refund == bill.total
    assert Payment.objects.filter(bill=bill).count() == 2
    page = client.get(f"/paiements/factures/{bill.number}/").content.decode()
    assert "à rembourser" in page
    client.force_login(finance)
    assert bill.number in client.get("/cms/paiements/").content.decode()


def test_another_familys_bill_is_not_found(client, year_of_services):  # noqa: F811
    services.bills_issue(month=DECEMBER, now=dt.datetime(2026, 11, 21, 6, tzinfo=MTQ))
    bill = Bill.objects.get()
    other = UserFactory(family=Family.objects.create(name="Autre"))
    client.force_login(other)
    for suffix in ("", "facture.pdf", "recu.pdf"):
        assert client.get(f"/paiements/factures/{bill.number}/{suffix}").status_code == 404
    assert client.post(f"/paiements/factures/{bill.number}/carte/").status_code == 404
    assert bill.number not in client.get("/paiements/factures/").content.decode()
    assert not CardPayment.objects.exists()


def test_reminders_and_overdue_on_bills(year_of_services):  # noqa: F811
    services.bills_issue(month=JANUARY, now=dt.datetime(2026, 12, 1, 6, tzinfo=MTQ))
    bill = Bill.objects.get()
    assert bill.due_date == dt.date(2026, 12, 20)
    assert services.bills_send_reminders(now=dt.datetime(2026, 12, 10, 12, tzinfo=MTQ)) == 0
    assert services.bills_send_reminders(now=dt.datetime(2026, 12, 13, 12, tzinfo=MTQ)) == 1
    assert services.bills_send_reminders(now=dt.datetime(2026, 12, 13, 13, tzinfo=MTQ)) == 1  # same key
    reminders = Notification.objects.filter(event=Event.PAYMENT_REMINDER)
    assert reminders.count() == Family.objects.get().guardians.count()
    # 23:59 on the 20th in Martinique is still on time; after midnight, late.
    assert services.bills_flag_overdue(now=dt.datetime(2026, 12, 20, 23, 59, tzinfo=MTQ)) == 0
    assert services.bills_flag_overdue(now=dt.datetime(2026, 12, 21, 0, 1, tzinfo=MTQ)) == 1
    assert services.bills_flag_overdue(now=dt.datetime(2026, 12, 22, 0, 1, tzinfo=MTQ)) == 0
    bill.refresh_from_db()
    assert bill.status == BillStatus.LATE and bill.is_open
    assert Notification.objects.filter(event=Event.PAYMENT_OVERDUE).exists()


def test_credits_are_taken_off_the_bill(year_of_services):  # noqa: F811
    """Two allowed absences of Léa at the canteen in November, credited on
    December's bill at November's unit price (3,80 € by default)."""
    from billing.models import Absence, ProcedureService

    lea = Dossier.objects.get(child__first_name="Léa")
    canteen = ProcedureService.objects.get(name="Cantine")
    for day in (dt.date(2026, 11, 2), dt.date(2026, 11, 3)):
        Absence.objects.create(dossier=lea, service=canteen, day=day, reason="Maladie avec certificat médical",
                               credited_on=DECEMBER, declared_at=timezone.now())
    services.bills_issue(month=DECEMBER, now=dt.datetime(2026, 11, 21, 6, tzinfo=MTQ))
    bill = Bill.objects.get()
    assert bill.total == expected_total(DECEMBER) - Decimal("7.60")
    credit = bill.lines.get(service="Avoir : Cantine")
    assert credit.amount == Decimal("-7.60") and credit.is_credit and credit.quantity == 2
    # Credited once: January's bill does not deduct them again.
    services.bills_issue(month=JANUARY, now=dt.datetime(2026, 12, 21, 6, tzinfo=MTQ))
    assert not Bill.objects.get(month=JANUARY).lines.filter(service__startswith="Avoir").exists()


def _families(page, school, count: int) -> None:
    for _ in range(count):
        dossier = DossierFactory(
            reference=f"2026-9{Dossier.objects.count():04d}",
            submission__page=page, submission__school=school,
            submission__answers={"cantine_jours": ["Lundi"], "garderie": True},
            school=school, state=DossierState.CONFIRMED,
            submitted_at=timezone.make_aware(dt.datetime(2026, 5, 10, 10)),
            confirmed_at=timezone.make_aware(dt.datetime(2026, 6, 25, 10)),
        )
        assert dossier.school_year == YEAR


def test_the_number_of_queries_does_not_grow_with_the_families(year_of_services, school):  # noqa: F811
    page = Dossier.objects.first().submission.page
    # The year's number counter is made by the first issue: not measured.
    services.bills_issue(month=dt.date(2026, 11, 1), now=dt.datetime(2026, 11, 21, 6, tzinfo=MTQ))
    counts = []
    for month, extra in ((DECEMBER, 2), (JANUARY, 7)):
        _families(page, school, extra)
        Bill.objects.all().delete()
        families = Family.objects.filter(dossiers__state=DossierState.CONFIRMED).distinct().count()
        with CaptureQueriesContext(connection) as queries:
            issued = services.bills_issue(month=month, now=dt.datetime(2026, 11, 21, 6, tzinfo=MTQ))
        assert issued == families
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert BillLine.objects.filter(bill__month=JANUARY).count() > 10
    numbers = sorted(Bill.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)


def test_bills_are_in_the_familys_data(client, year_of_services, parent):  # noqa: F811
    import io
    import json
    import zipfile

    services.bills_issue(month=DECEMBER, now=dt.datetime(2026, 11, 21, 6, tzinfo=MTQ))
    bill = Bill.objects.get()
    client.force_login(parent)
    response = client.get("/compte/donnees/telecharger/")
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("donnees.json"))
    [record] = data["factures"]
    assert record["numero"] == bill.number and Decimal(record["total"]) == bill.total
    assert record["etat"] == "À payer" and len(record["lignes"]) == 5
    cantine = next(line for line in record["lignes"] if line["enfant"] == "Léa Joseph"
                   and line["service"] == "Cantine")
    assert cantine["jours"] == [d.isoformat() for d in expected_days({0, 1}, DECEMBER)]
    other = UserFactory(family=Family.objects.create(name="Autre"))
    client.force_login(other)
    data = json.loads(zipfile.ZipFile(io.BytesIO(client.get("/compte/donnees/telecharger/").content))
                      .read("donnees.json"))
    assert data["factures"] == []


def test_a_flat_tariff_dossier_paying_by_sepa_is_debited_once_through_its_bill(
        client, awaiting, parent, finance, django_capture_on_commit_callbacks):  # noqa: F811
    """A dossier of before bills (a flat tariff, a validated mandate): once
    its tariff is a per-month service (migration 0006), its family's bill
    carries it and the month's file debits the bill, not the tariff on top."""
    import importlib

    from django.apps import apps as django_apps

    from tests.billing.conftest import choose
    from tests.billing.test_journey import sign_mandate

    dossier = awaiting
    _, first = choose(client, dossier, PaymentMode.SEPA)
    mandate = sign_mandate(client, dossier)
    client.force_login(finance)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/cms/paiements/mandats/{mandate.pk}/valider/").status_code == 302
    importlib.import_module("billing.migrations.0006_tariffs_to_services").forward(django_apps, None)
    assert services.bills_issue(month=first) == 1
    bill = Bill.objects.get()
    assert bill.total == Decimal("45.50") and bill.family == dossier.family
    assert client.post("/cms/paiements/export/", {"month": f"{first:%Y-%m}"}).status_code == 302
    response = client.get(f"/cms/paiements/export/{first:%Y-%m}/fichier/")
    assert response.status_code == 200, response.content.decode()[:2000]
    xmlschema.XMLSchema(schema_path()).validate(response.content.decode())
    debit = DirectDebit.objects.get()
    assert debit.bill == bill and debit.amount == Decimal("45.50") and debit.mandate == mandate


def test_a_simulated_year_of_bills_adds_up_to_what_was_consumed(year_of_services, parent, monkeypatch):  # noqa: F811
    """Every 21st from July to May the Huey task bills the first month still
    open; between two runs the family reserves and cancels canteen days of
    the months still open, some already billed. Recomputed by hand at the
    end, for every month of the year: what its bills charge (its own lines
    and the regularisations of later bills) is what the month counts — the
    planned days with the family's changes — and every bill is the sum of
    its lines."""
    import random

    from cms.school_year import school_year_months

    rng = random.Random(2026)
    lea = Dossier.objects.get(child__first_name="Léa")
    canteen = ProcedureService.objects.get(name="Cantine")
    added: dict[dt.date, set] = {}
    cancelled: dict[dt.date, set] = {}
    months = school_year_months(YEAR)
    run = dt.datetime(2026, 7, 21, 6, 0, tzinfo=MTQ)
    while run <= dt.datetime(2027, 5, 21, 6, 0, tzinfo=MTQ):
        run_task_on(monkeypatch, run)
        monkeypatch.undo()
        # The 10th of the next month: the family changes days of the next two months.
        moment = (run + dt.timedelta(days=20)).replace(day=10, hour=9)
        for month in {deadlines.next_month(moment.date()), deadlines.next_month(deadlines.next_month(moment.date()))}:
            if month not in months:
                continue
            plan = set(expected_days({0, 1}, month)) - cancelled.setdefault(month, set())
            others = sorted(set(expected_days({3, 4}, month)) - added.setdefault(month, set()))
            if plan and rng.random() < 0.6:
                day = rng.choice(sorted(plan))
                reservations.reservation_cancel(dossier=lea, service=canteen, day=day, by=parent, now=moment)
                cancelled[month].add(day)
            elif others:
                day = rng.choice(others)
                reservations.reservation_add(dossier=lea, service=canteen, day=day, by=parent, now=moment)
                added[month].add(day)
        run = (run + dt.timedelta(days=32)).replace(day=21)

    assert Bill.objects.filter(month__in=months).count() == len(months)
    for bill in Bill.objects.prefetch_related("lines"):
        assert bill.total == sum((line.amount for line in bill.lines.all()), Decimal("0.00")), bill
        assert bill.due_date == deadlines.due_date(bill.month)
    changed = 0
    for month in months:
        lea_days = (set(expected_days({0, 1}, month)) - cancelled.get(month, set())) | added.get(month, set())
        charged = BillLine.objects.filter(consumption_month=month, dossier=lea, service="Cantine")
        assert sum(line.quantity for line in charged) == len(lea_days), month
        assert sum((line.amount for line in charged), Decimal("0.00")) == len(lea_days) * Decimal("3.80"), month
        everything = sum((line.amount for line in BillLine.objects.filter(consumption_month=month)), Decimal("0.00"))
        assert everything == expected_total(month) + (len(lea_days) - len(expected_days({0, 1}, month))) * Decimal(
            "3.80"), month
        changed += charged.filter(bill__month__gt=month).count()
    assert changed >= 5  # days changed after their month was billed, settled on a later bill
