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
    defaults={"kind": "canteen", "unit": "meal", "price": "3.80"})
print(d.submission.public_id, service.pk)
"""


def sign_in(page) -> None:
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(PARENT)
    page.get_by_label("Mot de passe", exact=True).fill(content.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_the_reservation_calendar_on_a_phone(app, phone, screenshot):
    public_id, service_id = app.shell(SETUP).split()
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
