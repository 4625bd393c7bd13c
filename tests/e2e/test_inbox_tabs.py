"""The reviewer's inbox tabs (issue 17), as the demo school's director uses
them. In the demo, the mairie enrolled Léa and her dossier now waits for
the director's admission (« À traiter »); the director admitted Jade, Hugo,
Inès and Tom (« Traités »); the mairie, not the director, refused Lola and
asked Noé's family for corrections; Enzo was withdrawn — all under « Tous ».
Taking Léa's dossier in charge (« Prendre en charge ») puts it under
« Suivis par moi », and it still waits under « À traiter ». axe finds no serious issue on the inbox."""

from __future__ import annotations

import re

import pytest

from inscrire.demo import content

from .a11y import assert_accessible
from .test_journey import sign_in

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

DIRECTOR = f"direction.sainte-luce-maternelle@{content.DEMO_DOMAIN}"


def children(page) -> list[str]:
    """The « Enfant » column of the list, as the director reads it."""
    header = [" ".join(t.split()) for t in page.locator("table.listing thead th").all_inner_texts()]
    column = header.index("Enfant")
    cells = page.locator(f"table.listing tbody tr td:nth-child({column + 1})").all_inner_texts()
    return [" ".join(cell.split()) for cell in cells]


def open_tab(page, name: str) -> list[str]:
    tabs = page.get_by_role("navigation", name="Mes dossiers")
    tabs.get_by_role("link", name=name, exact=True).click()
    expect(tabs.get_by_role("link", name=name, exact=True)).to_have_attribute("aria-current", "page")
    return children(page)


# Other browser tests of the run add dossiers to the demo school (a second
# one for Léa, the journey's family): the tabs are checked on the demo's
# own children, each where it belongs.
ADMITTED = {"Jade Joseph", "Hugo Joseph", "Inès Bellay", "Tom Bellay"}  # by the director
NOT_THE_DIRECTORS = {"Noé Joseph", "Lola Rosine", "Enzo Rosine"}  # sent back, refused by the mairie, withdrawn


def test_a_director_walks_the_inbox_tabs_and_takes_a_dossier_in_charge(new_page, screenshot):
    page = new_page("ordinateur")
    sign_in(page, DIRECTOR, content.DEMO_PASSWORD)
    # From the dashboard's panel of what waits for him or her.
    page.goto("/cms/")
    page.locator("a[href$='?onglet=a-traiter']").first.click()
    expect(page).to_have_url(re.compile(r"/cms/dossiers/\?onglet=a-traiter$"))

    waiting = set(open_tab(page, "À traiter"))
    assert "Léa Joseph" in waiting and not waiting & (ADMITTED | NOT_THE_DIRECTORS), waiting
    screenshot(page, "inbox-a-traiter")
    assert_accessible(page, name="inbox-a-traiter")

    followed = set(open_tab(page, "Suivis par moi"))
    assert "Léa Joseph" not in followed, followed

    decided = set(open_tab(page, "Traités"))
    assert decided >= ADMITTED and not decided & (NOT_THE_DIRECTORS | {"Léa Joseph"}), decided
    assert_accessible(page, name="inbox-traites")

    everything = open_tab(page, "Tous")
    assert set(everything) >= ADMITTED | NOT_THE_DIRECTORS | {"Léa Joseph"}, everything
    # The counts above the list (the counter of issue 22) say as much.
    assert len(everything) < 25  # one page
    expect(page.locator("[data-count=total]")).to_have_text(f"{len(everything)} dossiers au total")
    assert_accessible(page, name="inbox-tous")

    # Léa's dossier, taken in charge from its page, is now followed by the director.
    open_tab(page, "À traiter")
    page.locator("table.listing tbody tr", has_text="Léa Joseph").first.get_by_role(
        "link", name=re.compile(r"^20\d\d-")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Léa Joseph")
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.get_by_text(re.compile(r"Vous suivez le dossier 20\d\d-\d+"))).to_be_visible()

    page.get_by_role("link", name="Dossiers", exact=True).first.click()
    assert "Léa Joseph" in open_tab(page, "Suivis par moi")
    assert "Léa Joseph" in open_tab(page, "À traiter")  # still waiting for the decision
    open_tab(page, "Suivis par moi")
    screenshot(page, "inbox-suivis-par-moi")
    assert_accessible(page, name="inbox-suivis")
