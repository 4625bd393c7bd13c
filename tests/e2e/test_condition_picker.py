"""The condition picker of the page editor (issue 17), as an editor uses it:
a clause's question is picked from the questions placed before it, its
value from the question's answers; what is saved is what was picked."""

from __future__ import annotations

import json

import pytest

from inscrire.demo import content
from inscrire.demo.enrolment import LEVELS, SLUG

from .a11y import assert_accessible
from .test_journey import sign_in

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

EDITOR = f"redaction@{content.DEMO_DOMAIN}"
# The demo form's first step: the motive of a « dérogation » is asked only if the family asks for one.
MOTIVE = "form-0-value-fields-6-value"
BEFORE_MOTIVE = ["Prénom de l'enfant", "Nom de l'enfant", "Date de naissance", "Commune de naissance",
                 "Niveau demandé pour l'année scolaire 2026-2027", "Demandez-vous une école hors de votre secteur (dérogation) ?"]


def motive_condition(app) -> dict:
    code = (
        "import json; from workflows.models import ProcedurePage; "
        f"page = ProcedurePage.objects.get(slug={SLUG!r}).get_latest_revision_as_object(); "
        "print(json.dumps(page.get_definition()['steps'][0]['items'][6]['condition']))"
    )
    return json.loads(app.shell(code).strip().splitlines()[-1])


def option_texts(select) -> list[str]:
    return select.evaluate("s => Array.from(s.options).map(o => o.text)")


def test_an_editor_picks_a_condition_s_question_and_value(new_page, app, screenshot):
    page_id = app.shell(f"from workflows.models import ProcedurePage; "
                        f"print(ProcedurePage.objects.get(slug={SLUG!r}).pk)").strip().splitlines()[-1]
    page = new_page("ordinateur")
    sign_in(page, EDITOR, content.DEMO_PASSWORD)
    page.goto(f"/cms/pages/{page_id}/edit/")
    page.locator(f"[data-panel-toggle][aria-controls*='{MOTIVE}-condition']").first.click()

    question = page.locator(f"#{MOTIVE}-condition-clauses-0-value-field-picker")
    value = page.locator(f"#{MOTIVE}-condition-clauses-0-value-value-picker")
    expect(question).to_be_visible()
    # The clause the demo holds, shown by its label; the typed field is gone from sight.
    expect(question.locator("option:checked")).to_have_text(BEFORE_MOTIVE[-1])
    expect(page.locator(f"#{MOTIVE}-condition-clauses-0-value-field")).to_be_hidden()
    # Only the questions placed before the motive, not the motive itself nor what follows.
    assert option_texts(question)[1:] == BEFORE_MOTIVE
    # A yes/no question's answers to pick from, labelled as the value field.
    assert option_texts(value)[1:] == ["Oui", "Non"]
    expect(value.locator("option:checked")).to_have_text("Oui")
    expect(page.get_by_label("Valeur").and_(value)).to_be_visible()

    # The editor moves the condition to the level asked, and picks the level.
    question.select_option(label="Niveau demandé pour l'année scolaire 2026-2027")
    assert option_texts(value)[1:] == LEVELS
    value.select_option(label="CP")
    screenshot(page, "condition-choisie")
    # axe on the picker's own fields (Wagtail's rich-text editors elsewhere on the page carry
    # no accessible name: Wagtail's, not ours).
    assert_accessible(page, name="editeur-condition", include=f"[id^='{MOTIVE}-condition-clauses-0-value-']")

    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("a été mise à jour")).to_be_visible()
    assert motive_condition(app) == {"match": "all", "clauses": [
        {"field": "niveau", "op": "equals", "value": "CP", "value2": ""}]}

    # Back on the page, the saved clause reads as picked.
    page.locator(f"[data-panel-toggle][aria-controls*='{MOTIVE}-condition']").first.click()
    expect(page.locator(f"#{MOTIVE}-condition-clauses-0-value-field-picker option:checked")).to_have_text(
        "Niveau demandé pour l'année scolaire 2026-2027")
    expect(page.locator(f"#{MOTIVE}-condition-clauses-0-value-value-picker option:checked")).to_have_text("CP")
