"""What a family owes for a month, from the school calendar the editors
enter, Martinique's public holidays, the services of the procedure and the
days the family chose in its answers. The amounts of a whole simulated
year are recomputed here by a plain count and compared to the cent."""

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import timezone

from accounts.models import Child
from billing import schooldays, selectors
from billing.constants import PaymentMode, Service, ServiceUnit
from billing.models import ProcedureService, QuotientBracket, SchoolCalendar
from cms.school_year import school_year_months
from tests.billing.conftest import awaiting, choose, creditor, finance  # noqa: F401 — fixtures
from tests.factories import UserFactory
from tests.forms.conftest import _q, _step, make_page, review_url, start, step_url
from tests.workflows.conftest import child, director, family, home, parent, procedure, school  # noqa: F401
from workflows.constants import DossierState
from workflows.models import Dossier

YEAR = "2026-2027"
CALENDAR_ADD = "/cms/snippets/billing/schoolcalendar/add/"
CLOSURES = [
    ("Vacances de la Toussaint", "2026-10-17", "2026-11-01"),
    ("Vacances de Noël", "2026-12-19", "2027-01-03"),
    ("Vacances de Carnaval", "2027-02-06", "2027-02-14"),
    ("Vacances de Pâques", "2027-03-27", "2027-04-11"),
    ("Pont de l'Ascension", "2027-05-07", ""),
]
# Martinique's public holidays of the school year, written out by hand as
# the oracle (the code reads them from the holidays package).
HOLIDAYS = {dt.date(2026, 11, 1), dt.date(2026, 11, 11), dt.date(2026, 12, 25), dt.date(2027, 1, 1),
            dt.date(2027, 3, 29), dt.date(2027, 5, 1), dt.date(2027, 5, 6), dt.date(2027, 5, 8),
            dt.date(2027, 5, 17), dt.date(2027, 5, 22)}
STEPS = [_step("Services", "", [
    _q("multichoice", "Jours de cantine", "cantine_jours", required=False, choices="Lundi\nMardi\nJeudi\nVendredi"),
    _q("yesno", "Garderie du soir", "garderie", required=False),
])]


def calendar_data(closures) -> dict:
    data = {"school_year": YEAR, "first_day": "2026-09-01", "last_day": "2027-06-30", "monday": "on",
            "tuesday": "on", "thursday": "on", "friday": "on",
            "closures-TOTAL_FORMS": str(len(closures)), "closures-INITIAL_FORMS": "0",
            "closures-MIN_NUM_FORMS": "0", "closures-MAX_NUM_FORMS": "1000"}
    for index, (label, first, last) in enumerate(closures):
        data.update({f"closures-{index}-label": label, f"closures-{index}-first_day": first,
                     f"closures-{index}-last_day": last, f"closures-{index}-ORDER": str(index),
                     f"closures-{index}-DELETE": "", f"closures-{index}-id": ""})
    return data


@pytest.fixture
def editor_client(db):
    client = Client()
    client.force_login(UserFactory(editor=True))
    return client


def test_public_holidays_of_martinique_come_from_the_holidays_package():
    assert schooldays.is_public_holiday(dt.date(2026, 5, 22))  # abolition of slavery, a Friday
    assert schooldays.is_public_holiday(dt.date(2027, 5, 6))  # Ascension moves every year
    assert not schooldays.is_public_holiday(dt.date(2026, 5, 21))
    days = schooldays.school_days(first_day=dt.date(2026, 5, 18), last_day=dt.date(2026, 5, 24),
                                  weekdays={0, 1, 2, 3, 4}, closures=[])
    # Whit Monday 25 May is the next week; Thursday 21 is a school day, Friday 22 is not.
    assert days == [dt.date(2026, 5, 18), dt.date(2026, 5, 19), dt.date(2026, 5, 20), dt.date(2026, 5, 21)]


def test_editor_enters_the_calendar_and_a_period_outside_the_year_is_refused(editor_client):
    bad = editor_client.post(CALENDAR_ADD, calendar_data([("Vacances d'été", "2027-07-05", "2027-08-31")]))
    assert bad.status_code == 200
    form = bad.context["form"]
    assert "en dehors de l'année scolaire" in unescape(bad.content.decode()), (
        f"{form.errors} {[f.errors for f in form.formsets['closures'].forms]}")
    reversed_days = calendar_data([])
    reversed_days["last_day"] = "2026-08-01"
    response = editor_client.post(CALENDAR_ADD, reversed_days)
    assert response.status_code == 200 and "Le dernier jour de classe vient après le premier" in (
        response.content.decode())
    assert not SchoolCalendar.objects.exists()
    response = editor_client.post(CALENDAR_ADD, calendar_data(CLOSURES))
    assert response.status_code == 302
    calendar = SchoolCalendar.objects.get()
    assert calendar.weekdays == {0, 1, 3, 4} and calendar.closures.count() == 5
    days = selectors.school_days(school_year=YEAR)
    assert dt.date(2026, 9, 1) in days and dt.date(2026, 9, 2) not in days  # no class on Wednesdays
    assert dt.date(2026, 11, 11) not in days and dt.date(2027, 5, 6) not in days  # public holidays
    assert dt.date(2026, 10, 20) not in days and dt.date(2027, 5, 7) not in days  # holidays, day off


def expected_days(weekdays: set[int], month: dt.date) -> list[dt.date]:
    """The oracle: every day of the month, kept by hand-written rules."""
    closures = [(dt.date.fromisoformat(a), dt.date.fromisoformat(b or a)) for _, a, b in CLOSURES]
    day, found = month, []
    while day.month == month.month:
        if (dt.date(2026, 9, 1) <= day <= dt.date(2027, 6, 30) and day.weekday() in weekdays
                and day not in HOLIDAYS and not any(a <= day <= b for a, b in closures)):
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def fill_and_submit(client, page, child, data: dict) -> Dossier:  # noqa: F811
    submission = start(client, page, child)
    response = client.post(step_url(submission, 0), data)
    assert response.status_code == 302, response.content.decode()[:1500]
    assert client.post(review_url(submission)).status_code == 302
    return Dossier.objects.get(submission=submission)


@pytest.fixture
def year_of_services(client, editor_client, home, school, family, parent):  # noqa: F811
    response = editor_client.post(CALENDAR_ADD, calendar_data(CLOSURES))
    assert response.status_code == 302 and "/login/" not in response["Location"], response
    page = make_page(home, STEPS, slug="services-2026", title=f"Cantine et garderie {YEAR}", stages=[])
    page.schools.add(school)
    canteen = ProcedureService.objects.create(procedure=page, school_year=YEAR, kind=Service.CANTEEN,
                                              name="Cantine", unit=ServiceUnit.MEAL, question="cantine_jours")
    for qf_from, price, default in (("0", "1.00", False), ("700", "2.50", False), ("1200", "3.80", True)):
        QuotientBracket.objects.create(service=canteen, qf_from=Decimal(qf_from), price=Decimal(price),
                                       is_default=default)
    ProcedureService.objects.create(procedure=page, school_year=YEAR, kind=Service.AFTER_SCHOOL,
                                    name="Garderie du soir", unit=ServiceUnit.SESSION, price=Decimal("2.50"),
                                    question="garderie")
    ProcedureService.objects.create(procedure=page, school_year=YEAR, kind=Service.STUDY, name="Adhésion",
                                    unit=ServiceUnit.MONTH, price=Decimal("5.00"))
    lea = Child.objects.create(family=family, first_name="Léa", last_name="Joseph", birth_date=dt.date(2020, 3, 14))
    noe = Child.objects.create(family=family, first_name="Noé", last_name="Joseph", birth_date=dt.date(2018, 9, 2))
    client.force_login(parent)
    first = fill_and_submit(client, page, lea, {"cantine_jours": ["Lundi", "Mardi"], "garderie": "oui"})
    second = fill_and_submit(client, page, noe, {"cantine_jours": ["Lundi", "Mardi", "Jeudi", "Vendredi"],
                                                 "garderie": "non"})
    assert {first.state, second.state} == {DossierState.CONFIRMED}
    # Confirmed before the school year starts: every month of it is due.
    Dossier.objects.filter(pk__in=[first.pk, second.pk]).update(
        confirmed_at=timezone.make_aware(dt.datetime(2026, 6, 25, 10)))
    return family


def test_september_of_a_family_with_two_children(year_of_services):
    statement = selectors.family_month_statement(family=year_of_services, month=dt.date(2026, 9, 1))
    lines = {(line.child, line.service): (line.quantity, line.unit_price, line.amount) for line in statement.lines}
    assert lines == {
        ("Léa Joseph", "Cantine"): (9, Decimal("3.80"), Decimal("34.20")),  # Mondays and Tuesdays
        ("Léa Joseph", "Garderie du soir"): (17, Decimal("2.50"), Decimal("42.50")),
        ("Léa Joseph", "Adhésion"): (1, Decimal("5.00"), Decimal("5.00")),
        ("Noé Joseph", "Cantine"): (17, Decimal("3.80"), Decimal("64.60")),
        ("Noé Joseph", "Adhésion"): (1, Decimal("5.00"), Decimal("5.00")),
    }
    assert statement.total == Decimal("151.30")
    # A lower quotient familial falls in a lower bracket of the canteen only.
    low = selectors.family_month_statement(family=year_of_services, month=dt.date(2026, 9, 1),
                                           quotient=Decimal("650"))
    assert low.total == Decimal("151.30") - (9 + 17) * (Decimal("3.80") - Decimal("1.00"))


@pytest.mark.parametrize("quotient", [None, Decimal("0"), Decimal("700"), Decimal("1199.99"), Decimal("5000")])
def test_a_simulated_year_recomputed_to_the_cent(year_of_services, quotient):
    canteen_price = {None: Decimal("3.80"), Decimal("0"): Decimal("1.00"), Decimal("700"): Decimal("2.50"),
                     Decimal("1199.99"): Decimal("2.50"), Decimal("5000"): Decimal("3.80")}[quotient]
    year_total = Decimal("0")
    for month in school_year_months(YEAR):
        statement = selectors.family_month_statement(family=year_of_services, month=month, quotient=quotient)
        two_days, four_days = expected_days({0, 1}, month), expected_days({0, 1, 3, 4}, month)
        expected = (len(two_days) * canteen_price + len(four_days) * Decimal("2.50")  # Léa
                    + len(four_days) * canteen_price  # Noé
                    + (Decimal("10.00") if four_days else 0))  # two memberships
        assert statement.total == expected, month
        assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in statement.lines)
        léa_days = next(line.days for line in statement.lines if line.service == "Cantine"
                        and line.child == "Léa Joseph")
        assert list(léa_days) == two_days
        year_total += statement.total
    assert year_total == sum(
        (selectors.family_month_statement(family=year_of_services, month=m, quotient=quotient).total
         for m in school_year_months(YEAR)), Decimal("0"))
    # Outside the months of school nothing is due.
    assert selectors.family_month_statement(family=year_of_services, month=dt.date(2027, 7, 1)).total == 0


def test_another_family_owes_nothing_for_these_children(year_of_services, school):  # noqa: F811
    from accounts.models import Family

    other = Family.objects.create(name="Autre")
    assert selectors.family_month_statement(family=other, month=dt.date(2026, 9, 1)).lines == []


def test_a_dossier_on_a_flat_tariff_keeps_its_monthly_amount(client, awaiting, finance):  # noqa: F811
    """Migration 0006 makes each flat tariff a per-month service; a dossier
    whose family chose the canteen tariff owes that tariff each month."""
    import importlib

    dossier = awaiting
    _, first = choose(client, dossier, PaymentMode.CASH)
    client.force_login(finance)
    response = client.post(f"/cms/paiements/especes/{dossier.pk}/", {"amount": "45,50", "receipt_number": "R-9"})
    assert response.status_code == 302
    importlib.import_module("billing.migrations.0006_tariffs_to_services").forward(django_apps, None)
    # Both tariffs became services of the procedure; only the chosen one applies.
    assert ProcedureService.objects.filter(procedure_id=dossier.submission.page_id, unit=ServiceUnit.MONTH).count() == 2
    statement = selectors.family_month_statement(family=dossier.family, month=first)
    assert [(line.service, line.amount) for line in statement.lines] == [
        ("Restauration scolaire (cantine) (4 repas par semaine)", Decimal("45.50"))]
    before = [m for m in school_year_months(dossier.school_year) if m < first]
    if before:
        assert selectors.family_month_statement(family=dossier.family, month=before[-1]).total == 0
    # Running the migration twice makes nothing more.
    importlib.import_module("billing.migrations.0006_tariffs_to_services").forward(django_apps, None)
    assert ProcedureService.objects.filter(procedure_id=dossier.submission.page_id).count() == 2


def test_days_cannot_be_counted_without_the_years_calendar(year_of_services):
    SchoolCalendar.objects.all().delete()
    with pytest.raises(selectors.CalendarMissing) as missing:
        selectors.family_month_statement(family=year_of_services, month=dt.date(2026, 9, 1))
    assert "calendrier scolaire 2026-2027 n'est pas encore saisi" in missing.value.message
