"""The stage editor, as an editor uses it in the Wagtail admin (issue 16):
on a procedure's « Étapes du dossier » tab, add a review by a reviewer
group, move it, add and remove an attestation, save; a stage that cannot
run is refused with its reason on the stage itself."""

from __future__ import annotations

import json

import pytest

from inscrire.demo import content

from .test_journey import sign_in

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

EDITOR = f"redaction@{content.DEMO_DOMAIN}"
CANTEEN = "restauration-scolaire-2026-2027"  # the demo's canteen: one « Paiement » stage, no review


def stages_of(app, slug: str) -> list[list[str]]:
    """(kind, title) of each stage of the page's latest revision, in order."""
    code = (
        "import json; from workflows.models import ProcedurePage; "
        f"page = ProcedurePage.objects.get(slug={slug!r}).get_latest_revision_as_object(); "
        "print(json.dumps([[s['kind'], s['title']] for s in page.compiled_stages()]))"
    )
    return json.loads(app.shell(code).strip().splitlines()[-1])


def block(page, field_id: str):
    """The stream child (one stage) holding the field ``field_id``."""
    return page.locator("[data-streamfield-child]", has=page.locator(f"#{field_id}")).last


def test_an_editor_adds_moves_and_removes_stages_and_sees_a_refusal(new_page, app, screenshot):
    page_id = app.shell(f"from workflows.models import ProcedurePage; "
                        f"print(ProcedurePage.objects.get(slug={CANTEEN!r}).pk)").strip().splitlines()[-1]
    page = new_page("ordinateur")
    sign_in(page, EDITOR, content.DEMO_PASSWORD)
    page.goto(f"/cms/pages/{page_id}/edit/")
    page.get_by_role("tab", name="Étapes du dossier").click()
    stream = page.locator("#stages-root")

    # Add a review before the payment: the after-school service checks the child is enrolled.
    stream.get_by_title("Insérer un bloc").first.click()
    page.get_by_role("option", name="Examen").click()
    review = block(page, "stages-1-value-title")
    page.locator("#stages-1-value-title").fill("Vérification par le service périscolaire")
    review.get_by_role("button", name="Choisir groupe d'instruction").first.click()
    page.get_by_role("link", name="Service périscolaire").click()
    expect(review).to_contain_text("Service périscolaire")
    # Moved after the payment, then back before it.
    review.get_by_title("Descendre").first.click()
    review.get_by_title("Monter").first.click()
    # An attestation added at the end, then removed.
    stream.get_by_title("Insérer un bloc").last.click()
    page.get_by_role("option", name="Attestation").click()
    attestation = block(page, "stages-2-value-title")
    page.locator("#stages-2-value-title").fill("À supprimer")
    attestation.get_by_title("Supprimer").first.click()
    screenshot(page, "etapes-editeur-composees")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("a été mise à jour")).to_be_visible()
    assert stages_of(app, CANTEEN) == [["review", "Vérification par le service périscolaire"],
                                       ["payment", "Paiement de la cantine"]]

    # A condition that can never hold — a comparison on a question that is neither a number nor
    # a date — picked with the condition picker: refused, the reason on the stage.
    page.get_by_role("tab", name="Étapes du dossier").click()
    review = page.locator("[data-streamfield-child]").filter(
        has_text="Vérification par le service périscolaire").first
    review.locator("[data-panel-toggle][aria-controls*='condition']").first.click()  # « Condition de l'étape »
    # The condition holds clauses: add one if there is none, then pick its question.
    picker = review.locator("select[id*='-value-condition-clauses-'][id$='-value-field-picker']")
    if picker.count() == 0:
        review.locator("[data-streamfield-list-add]").last.click()
    picker.first.select_option(index=1)
    question = picker.first.locator("option:checked").inner_text()
    review.locator("select[id*='-value-condition-clauses-'][id$='-value-operator']").first.select_option("greater")
    review.locator("input[id*='-value-condition-clauses-'][id$='-value-value']").first.fill("3")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("La page ne peut être enregistrée du fait d'erreurs de validation.")).to_be_visible()
    # Wagtail's own autosave of the refused form may then warn in a dialog; the editor carries on.
    dialog = page.locator("#w-save-confirmation-dialog")
    if dialog.is_visible():
        dialog.get_by_role("button", name="Continuer").click()
    page.get_by_role("tab", name="Étapes du dossier").click()
    refused = page.locator("[data-streamfield-child]").filter(
        has_text="Vérification par le service périscolaire").first
    expect(refused).to_contain_text("ne se compare pas")
    assert question
    screenshot(page, "etapes-editeur-refus")
    assert stages_of(app, CANTEEN)[0] == ["review", "Vérification par le service périscolaire"]
