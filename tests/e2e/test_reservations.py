"""The « Réservations » calendar on a phone: the demo parent opens the month
of a confirmed child's canteen, the page fits the screen, axe finds no
serious problem, and a day toggled with its button (a plain form, no
JavaScript needed) changes state; a locked month says so."""

import re

import pytest

from inscrire.demo import content

from .a11y import assert_accessible

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

PARENT = "parent@inscrire.example"

# The demo has no per-meal service nor school calendar yet: give Jade's
# confirmed dossier a canteen on every school day of her school year.
SETUP = """
import datetime as dt
from billing.models import ProcedureService, SchoolCalendar
from workflows.models import Dossier
d = Dossier.objects.get(child__first_name="Jade", state="confirmed")
year = d.school_year
start = int(year[:4])
SchoolCalendar.objects.get_or_create(school_year=year, defaults={
    "first_day": dt.date(start, 9, 1), "last_day": dt.date(start + 1, 6, 30)})
service, _ = ProcedureService.objects.get_or_create(
    procedure_id=d.submission.page_id, school_year=year, name="Cantine (essai navigateur)",
    defaults={"kind": "canteen", "unit": "meal", "price": "3.80",
              "absence_reasons": "Maladie avec certificat médical"})
from cms.school_year import school_year_months
from django.utils import timezone
this_month = timezone.localdate().replace(day=1)
# Jade's bills start next month: this month, one day was reserved (before its cut-off).
from billing.models import ReservationChange
from billing.selectors import school_days
days = [x for x in school_days(school_year=year) if (x.year, x.month) == (this_month.year, this_month.month)]
if days:
    ReservationChange.objects.get_or_create(dossier=d, service=service, day=days[0],
                                            defaults={"kind": "added", "changed_at": timezone.now()})
print(d.submission.public_id, service.pk, this_month.strftime("%Y-%m") if this_month in school_year_months(year) else "-")
"""


def sign_in(page) -> None:
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(PARENT)
    page.get_by_label("Mot de passe", exact=True).fill(content.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


@pytest.fixture
def jade_canteen(app):
    """Jade's test canteen in the live app, removed afterwards (the live app
    serves the whole run: later tests see the demo as it was)."""
    public_id, service_id, this_month = app.shell(SETUP).split()
    yield public_id, service_id, this_month
    app.shell(f"from billing.models import ProcedureService; ProcedureService.objects.filter(pk={service_id}).delete()")


def test_the_reservation_calendar_on_a_phone(jade_canteen, phone, screenshot):
    public_id, service_id, this_month = jade_canteen
    sign_in(phone)
    phone.goto("/paiements/reservations/")
    phone.get_by_role("link", name="Cantine (essai navigateur)").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Jade")
    assert f"/paiements/reservations/{public_id}/{service_id}/" in phone.url
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(phone, name="reservations-telephone")
    screenshot(phone, "reservations-telephone")

    if phone.locator("[data-locked]").count():
        expect(phone.locator("[data-locked]")).to_contain_text(re.compile(r"est verrouillé depuis le 20 "))
        return
    # Cancel the first reserved day with its button, then reserve it again.
    cell = phone.locator('td[data-state="reserved"]').first
    day = cell.get_attribute("data-day")
    cell.get_by_role("button", name=re.compile(r"^Annuler ")).click()
    cancelled = phone.locator(f'td[data-day="{day}"]')
    expect(cancelled).to_have_attribute("data-state", "cancelled")
    expect(phone.get_by_role("status")).to_contain_text("annulé")
    assert_accessible(phone, name="reservations-telephone-annule")
    cancelled.get_by_role("button", name=re.compile(r"^Réserver ")).click()
    expect(phone.locator(f'td[data-day="{day}"]')).to_have_attribute("data-state", "reserved")
    screenshot(phone, "reservations-telephone-reserve")

    if this_month == "-":
        return  # no month of school under way: no absence to declare
    # This month is locked: a reserved day missed for illness is declared absent.
    phone.goto(f"/paiements/reservations/{public_id}/{service_id}/?mois={this_month}")
    expect(phone.locator("[data-locked]")).to_contain_text("est verrouillé depuis le 20 ")
    if not phone.get_by_role("heading", name="Déclarer une absence").count():
        return  # no day of class this month
    assert_accessible(phone, name="reservations-absence-telephone")
    day_choice = phone.get_by_label("Jour d'absence")
    day_choice.select_option(index=1)
    phone.get_by_label("Motif").select_option("Maladie avec certificat médical")
    phone.get_by_role("button", name="Déclarer l'absence").click()
    expect(phone.get_by_role("status")).to_contain_text("sera déduite de la facture de")
    expect(phone.locator('td[data-state="reserved"]').filter(has_text="Absent, remboursé")).to_have_count(1)
    screenshot(phone, "reservations-absence-telephone")
