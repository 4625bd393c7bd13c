"""The reviewer's inbox tabs (issue 17), as the demo school's director uses
them: « à traiter » holds what waits for a decision, « traités » what was
decided, « tous » everything of the school; taking a dossier in charge puts
it under « suivis par moi ». axe finds no serious issue on the list."""

from __future__ import annotations

import pytest

from inscrire.demo import content

from .a11y import assert_accessible
from .test_journey import sign_in

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

DIRECTOR = f"direction.sainte-luce-maternelle@{content.DEMO_DOMAIN}"


def rows(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("table.listing tbody tr").all_inner_texts()]


def test_a_director_walks_the_inbox_tabs_and_takes_a_dossier_in_charge(new_page, screenshot):
    page = new_page("ordinateur")
    sign_in(page, DIRECTOR, content.DEMO_PASSWORD)
    page.goto("/cms/dossiers/")
    tabs = page.get_by_role("navigation", name="Mes dossiers")
    expect(tabs.get_by_role("link", name="À traiter")).to_have_attribute("aria-current", "page")
    waiting = rows(page)
    # Léa's dossier, enrolled by the mairie, waits for the director; Lola's refusal is not there.
    assert any("Léa" in row for row in waiting), waiting
    assert not any("Lola" in row for row in waiting), waiting
    assert_accessible(page, name="inbox-a-traiter")

    tabs.get_by_role("link", name="Tous").click()
    expect(tabs.get_by_role("link", name="Tous")).to_have_attribute("aria-current", "page")
    everything = rows(page)
    assert any("Lola" in row for row in everything) and any("Léa" in row for row in everything), everything
    assert len(everything) > len(waiting)

    tabs.get_by_role("link", name="Traités").click()
    decided = rows(page)
    assert any("Lola" in row for row in decided) and not any("Léa" in row for row in decided), decided

    tabs.get_by_role("link", name="Suivis par moi").click()
    assert not any("Léa" in row for row in rows(page))

    # Léa's dossier taken in charge from its page: it is now followed by the director.
    page.goto("/cms/dossiers/")
    page.locator("table.listing tbody tr", has_text="Léa").first.get_by_role("link").first.click()
    page.get_by_role("button", name="Prendre en charge").click()
    page.goto("/cms/dossiers/?onglet=suivis")
    expect(page.locator("table.listing tbody tr", has_text="Léa").first).to_be_visible()
    screenshot(page, "inbox-suivis-par-moi")
    assert_accessible(page, name="inbox-suivis")
