"""The editor's preview panel (issue 18): the admin frames the preview of a
procedure and of a message, so the panel shows them, with no violation of
the Content-Security-Policy."""

from __future__ import annotations

import pytest

from inscrire.demo import content
from inscrire.demo.enrolment import SLUG

from .test_journey import sign_in

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

EDITOR = f"redaction@{content.DEMO_DOMAIN}"


def _pk(app, code: str) -> str:
    return app.shell(code).strip().splitlines()[-1]


def _open_preview_panel(page):
    page.locator("[data-side-panel-toggle='preview']").first.click()
    return page.frame_locator("#w-preview-iframe")


def _watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


def test_the_preview_panel_shows_the_form_of_a_procedure(new_page, app, screenshot):
    page_id = _pk(app, f"from workflows.models import ProcedurePage; print(ProcedurePage.objects.get(slug={SLUG!r}).pk)")
    page = new_page("ordinateur")
    violations = _watch_csp(page)
    sign_in(page, EDITOR, content.DEMO_PASSWORD)
    page.goto(f"/cms/pages/{page_id}/edit/", timeout=90_000)  # the demo's whole form: a long page to build
    frame = _open_preview_panel(page)
    # The preview renders the demo's whole form (seven steps): slow on a loaded machine.
    expect(frame.get_by_text("Aperçu pour la rédaction").first).to_be_visible(timeout=90_000)
    expect(frame.get_by_text("Étape 1 : L'enfant").first).to_be_visible()
    screenshot(page, "apercu-formulaire-panneau")
    assert not [v for v in violations if "frame-ancestors" in v], violations


def test_the_preview_panel_shows_a_message(new_page, app, screenshot):
    template_id = _pk(app, "from notifications.models import MessageTemplate; "
                           "print(MessageTemplate.objects.get(event='payment_reminder').pk)")
    page = new_page("ordinateur")
    violations = _watch_csp(page)
    sign_in(page, EDITOR, content.DEMO_PASSWORD)
    page.goto(f"/cms/snippets/notifications/messagetemplate/edit/{template_id}/")
    frame = _open_preview_panel(page)
    expect(frame.get_by_text("Exemple sur un dossier fictif").first).to_be_visible()
    screenshot(page, "apercu-message-panneau")
    assert not [v for v in violations if "frame-ancestors" in v], violations


def test_a_new_procedure_shows_no_error_before_anything_is_typed_and_one_on_save(new_page, app, screenshot):
    """Wagtail's editor checked the form's « min_num » as soon as the page
    opened: « Le nombre minimum d'éléments est 1 » greeted the editor."""
    home_id = _pk(app, "from cms.models import HomePage; print(HomePage.objects.first().pk)")
    page = new_page("ordinateur")
    sign_in(page, EDITOR, content.DEMO_PASSWORD)
    page.goto(f"/cms/pages/add/workflows/procedurepage/{home_id}/")
    expect(page.locator("#form-root")).to_be_attached()
    expect(page.get_by_text("Le nombre minimum d'éléments est 1")).to_have_count(0)
    page.locator("#id_title").fill("Démarche sans étape")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("La page ne peut être créée du fait d'erreurs de validation.")).to_be_visible()
    expect(page.get_by_text("Ajoutez au moins une étape au formulaire.").first).to_be_visible()
    expect(page.get_by_text("Le nombre minimum d'éléments est 1")).to_have_count(0)
    screenshot(page, "demarche-vide-enregistree")
