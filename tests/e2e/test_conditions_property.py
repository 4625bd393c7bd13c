"""Property (issue 17): the browser's evaluator of conditions
(``forms/static/forms/conditions.js``, run in Chromium) and the server's
(``forms.conditions``) agree on every condition and every answer — random
clauses (all of / any of, equals, filled, greater, less, between) over
random answers (words, numbers written the French or the English way,
dates in both forms, several choices, nothing).

The browser reads an answer from the form as its normalised words (see
``dossier.js``); here it gets the same words from the same raw answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from forms.conditions import condition_met
from forms.constants import ConditionOperator

pytest.importorskip("playwright.sync_api")

SOURCE = Path(__file__).resolve().parents[2] / "forms" / "static" / "forms" / "conditions.js"
FIELDS = ["a", "b", "c"]

# Words families type, and the edges of numbers and dates.
samples = st.sampled_from([
    "oui", "Non", " OUI ", "Végétarien", "végétarien", "3", "3,5", "3.50", "-0", "+0", "0", "007", "-2,25",
    "10", "9", "14/03/2023", "2023-03-14", "2023-3-14", "1/1/2024", "01/01/2024", "31/12/2023", "abc",
    "", "  x  y ", "x y", "٣", "1\u00a0000", "É",
])
written = st.text(alphabet="0123456789,.-+/ ouinOAÉé\u00a0", max_size=10)
values = st.one_of(samples, written)
answers = st.dictionaries(
    st.sampled_from(FIELDS),
    st.one_of(st.none(), values, st.lists(values, max_size=3)),
)
clauses = st.fixed_dictionaries({
    "field": st.sampled_from(FIELDS + ["absente"]),
    "op": st.sampled_from(ConditionOperator.values),
    "value": values,
    "value2": values,
})
conditions = st.one_of(
    st.fixed_dictionaries({"match": st.sampled_from(["all", "any"]), "clauses": st.lists(clauses, max_size=4)}),
    clauses,  # a definition written before clauses existed: one clause alone
    st.none(),
)


@pytest.fixture(scope="module")
def evaluator(browser):
    """A Chromium page with the portal's conditions.js loaded, and a
    function evaluating a condition over raw answers in it."""
    page = browser.new_page()
    page.set_content("<!doctype html><title>conditions</title>")
    page.evaluate(SOURCE.read_text(encoding="utf-8") + "\n;0")
    script = """([condition, answers]) => {
        const C = window.InscrireConditions;
        const tokens = (value) => {
            if (value === null || value === undefined || value === "") { return []; }
            return Array.isArray(value) ? value.map(C.norm) : [C.norm(value)];
        };
        return C.conditionMet(condition, (field) => tokens(answers[field]));
    }"""
    yield lambda condition, given_answers: page.evaluate(script, [condition, given_answers])
    page.close()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(condition=conditions, given_answers=answers)
# The server once read « ٣ » (an Arabic-Indic three) as a number, the browser did not.
@example(condition={"field": "a", "op": "less", "value": "٣", "value2": ""}, given_answers={"a": "9"})
def test_the_browser_and_the_server_agree_on_every_condition(evaluator, condition, given_answers):
    assert evaluator(condition, given_answers) == condition_met(condition, given_answers), (condition, given_answers)
