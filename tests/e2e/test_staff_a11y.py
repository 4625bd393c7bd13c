"""The staff pages a director and a finance agent use, through axe in
Chromium (issues 17 and 18): no serious or critical violation on the
dossier list (whole, filtered, empty), a dossier's page (as it waits for
the decision, and with a decision refused for want of a reason), and the
payments workspace (its page, the cash page and its errors). Nothing here
changes the demo: the forms are sent empty, and refused."""

from __future__ import annotations

import re

import pytest

from inscrire.demo import content

from .a11y import assert_accessible
from .test_journey import sign_in

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

DIRECTOR = f"direction.sainte-luce-maternelle@{content.DEMO_DOMAIN}"
FINANCE = f"finance@{content.DEMO_DOMAIN}"


def test_the_directors_list_and_dossier_pages_pass_axe(new_page, screenshot):
    page = new_page("ordinateur")
    sign_in(page, DIRECTOR, content.DEMO_PASSWORD)
    page.goto("/cms/dossiers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers")
    assert_accessible(page, name="staff-liste")

    page.get_by_label("État", exact=True).select_option(label="Compléments demandés")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("table.listing tbody")).to_contain_text("Noé Joseph")
    assert_accessible(page, name="staff-liste-filtree")

    page.get_by_label("Enfant ou famille").fill("personne de ce nom")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("table.listing tbody")).to_contain_text("Aucun dossier ne correspond.")
    assert_accessible(page, name="staff-liste-vide")

    # The dossier waiting for the director's decision: answers, documents, history, decisions.
    page.goto("/cms/dossiers/?onglet=a-traiter")
    page.locator("table.listing tbody tr", has_text="Léa Joseph").first.get_by_role(
        "link", name=re.compile(r"^20\d\d-")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Léa Joseph")
    screenshot(page, "staff-dossier")
    assert_accessible(page, name="staff-dossier")

    # A refusal without its reason: refused, the error named next to the field.
    page.get_by_role("button", name="Refuser le dossier").click()
    expect(page.get_by_text("Indiquez le motif du refus")).to_be_visible()
    assert_accessible(page, name="staff-dossier-erreur")

    # The dossier sent back to its family, with the answers changed since the request.
    page.goto("/cms/dossiers/?state=correction")
    page.locator("table.listing tbody tr", has_text="Noé Joseph").first.get_by_role(
        "link", name=re.compile(r"^20\d\d-")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Noé Joseph")
    assert_accessible(page, name="staff-dossier-complements")


def test_the_payments_workspace_passes_axe(new_page, screenshot):
    page = new_page("ordinateur")
    sign_in(page, FINANCE, content.DEMO_PASSWORD)
    page.goto("/cms/paiements/")
    expect(page.get_by_role("heading", name="Prélèvements SEPA")).to_be_visible()
    screenshot(page, "staff-paiements")
    assert_accessible(page, name="staff-paiements")

    # Tom's cash payment, awaited: its page, then the form sent empty.
    page.locator("a[href^='/cms/paiements/especes/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Espèces")
    assert_accessible(page, name="staff-especes")
    page.get_by_role("button", name="Enregistrer le paiement").click()
    expect(page.locator(".error-message, .w-field__errors").first).to_be_visible()
    assert_accessible(page, name="staff-especes-erreur")

    page.goto("/cms/dossiers/")
    assert_accessible(page, name="staff-liste-finance")
