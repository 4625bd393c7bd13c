"""The reviewer's inbox tabs (issue 17), as the demo school's director uses
them. In the demo, the mairie enrolled Léa and her dossier now waits for
the director's admission (« À traiter »); the director admitted Jade, Hugo,
Inès and Tom (« Traités »); the mairie, not the director, refused Lola and
asked Noé's family for corrections; Enzo was withdrawn — all under « Tous ».
Taking Léa's dossier in charge (« Prendre en charge ») puts it under
« Suivis par moi ». axe finds no serious issue on the inbox."""

from __future__ import annotations

import re

import pytest

from inscrire.demo import content

from .a11y import assert_accessible
from .test_journey import sign_in

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

DIRECTOR = f"direction.sainte-luce-maternelle@{content.DEMO_DOMAIN}"


def children(page) -> set[str]:
    """The « Enfant » column of the list, as the director reads it."""
    header = [" ".join(t.split()) for t in page.locator("table.listing thead th").all_inner_texts()]
    column = header.index("Enfant")
    cells = page.locator(f"table.listing tbody tr td:nth-child({column + 1})").all_inner_texts()
    return {" ".join(cell.split()) for cell in cells}


def open_tab(page, name: str) -> set[str]:
    tabs = page.get_by_role("navigation", name="Mes dossiers")
    tabs.get_by_role("link", name=name, exact=True).click()
    expect(tabs.get_by_role("link", name=name, exact=True)).to_have_attribute("aria-current", "page")
    return children(page)


def test_a_director_walks_the_inbox_tabs_and_takes_a_dossier_in_charge(new_page, screenshot):
    page = new_page("ordinateur")
    sign_in(page, DIRECTOR, content.DEMO_PASSWORD)
    # From the dashboard's panel of what waits for him or her.
    page.goto("/cms/")
    page.locator("a[href$='?onglet=a-traiter']").first.click()
    expect(page).to_have_url(re.compile(r"/cms/dossiers/\?onglet=a-traiter$"))

    waiting = open_tab(page, "À traiter")
    assert waiting == {"Léa Joseph"}, waiting
    screenshot(page, "inbox-a-traiter")
    assert_accessible(page, name="inbox-a-traiter")

    assert open_tab(page, "Suivis par moi") == set()
    expect(page.locator("table.listing tbody")).to_contain_text("Aucun dossier ne correspond.")

    decided = open_tab(page, "Traités")
    assert decided == {"Jade Joseph", "Hugo Joseph", "Inès Bellay", "Tom Bellay"}, decided
    assert_accessible(page, name="inbox-traites")

    everything = open_tab(page, "Tous")
    assert everything == decided | waiting | {"Noé Joseph", "Lola Rosine", "Enzo Rosine"}, everything
    # The counts above the list (the counter of issue 22) say as much.
    expect(page.locator("[data-count=total]")).to_have_text("8 dossiers au total")
    assert_accessible(page, name="inbox-tous")

    # Léa's dossier, taken in charge from its page, is now followed by the director.
    open_tab(page, "À traiter")
    page.locator("table.listing tbody tr", has_text="Léa Joseph").get_by_role("link", name=re.compile(r"^2026-")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Léa Joseph")
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.get_by_text(re.compile(r"Vous suivez le dossier 2026-\d+"))).to_be_visible()

    page.get_by_role("link", name="Dossiers", exact=True).first.click()
    assert open_tab(page, "Suivis par moi") == {"Léa Joseph"}
    assert open_tab(page, "À traiter") == {"Léa Joseph"}  # still waiting for the decision
    open_tab(page, "Suivis par moi")
    screenshot(page, "inbox-suivis-par-moi")
    assert_accessible(page, name="inbox-suivis")
