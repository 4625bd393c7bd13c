"""Every error of a form is tied to its field (RGAA 11.10, 11.11): sent with
mistakes, each public and staff form shows its errors in elements whose id
the field names in aria-describedby, and every id a field names exists.
Checked in Chromium, with axe, on the account pages, the family's dossier
page (message, withdrawal) and the staff dossier page (message, refusal)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inscrire.demo import content

from .a11y import assert_accessible
from .test_journey import DIRECTOR, sign_in

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

PARENT = f"parent@{content.DEMO_DOMAIN}"

# Every id named by an aria-describedby that does not exist, and every field
# error no field names: both must be empty.
UNTIED = """() => {
  const problems = [];
  const named = new Set();
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of el.getAttribute('aria-describedby').split(/\\s+/).filter(Boolean)) {
      named.add(id);
      if (!document.getElementById(id)) problems.push(`${el.id || el.name || el.tagName} nomme « ${id} », absent`);
    }
  }
  const errors = document.querySelectorAll('.field .field__error, .w-field__wrapper .error-message');
  for (const error of errors) {
    if (!error.id || !named.has(error.id)) problems.push(`erreur sans champ : ${error.textContent.trim()}`);
  }
  return {problems, errors: errors.length};
}"""


def assert_errors_tied(page, *, at_least: int = 1) -> None:
    found = page.evaluate(UNTIED)
    assert found["problems"] == [], "\n".join(found["problems"])
    assert found["errors"] >= at_least, "aucune erreur affichée : le formulaire n'a pas été envoyé avec des erreurs"


@pytest.fixture(scope="module")
def dossier(app) -> tuple[str, str]:
    """A dossier of the demo parent's Léa at her school, waiting for its
    director: (public id, staff pk)."""
    code = (
        "from accounts.models import User; from tests.factories import SubmissionFactory; "
        "from workflows.services import dossier_open; "
        f"parent = User.objects.get(email={PARENT!r}); "
        "child = parent.family.children.get(first_name='Léa'); school = parent.family.schools.first(); "
        "submission = SubmissionFactory(submitted=True, child=child, family=parent.family, school=school, "
        "submitted_by=parent); dossier = dossier_open(submission=submission); "
        "print(submission.public_id, dossier.pk)"
    )
    public_id, pk = app.shell(code).strip().splitlines()[-1].split()
    return public_id, pk


@pytest.mark.parametrize(("url_name", "args"), [
    pytest.param("accounts:login", [], id="connexion"),
    pytest.param("accounts:signup_step", [1], id="inscription-etape-1"),
    pytest.param("accounts:password_reset", [], id="mot-de-passe-oublie"),
])
def test_account_forms_tie_their_errors_to_their_fields(new_page, url_name, args, request):
    page = new_page("ordinateur")
    page.goto(reverse(url_name, args=args))
    page.locator("main form").last.get_by_role("button").first.click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_errors_tied(page, at_least=0 if url_name == "accounts:login" else 1)
    assert_accessible(page, name=f"erreurs-liees-{request.node.callspec.id}")


def test_the_familys_message_and_withdrawal_forms_tie_their_errors(new_page, dossier):
    public_id, _pk = dossier
    page = new_page("telephone")
    sign_in(page, PARENT, content.DEMO_PASSWORD)
    url = reverse("dossiers:family_dossier", args=[public_id])
    page.goto(url)
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#id_body_error")).to_be_visible()
    expect(page.get_by_label("Votre message à l'école")).to_have_attribute("aria-describedby", "id_body_error")
    assert_errors_tied(page)
    assert_accessible(page, name="erreurs-liees-message-famille")

    page.goto(url)
    page.get_by_role("button", name="Retirer le dossier").click()
    expect(page.locator("#id_confirm_error")).to_contain_text("Cochez la case pour confirmer le retrait.")
    assert_errors_tied(page)
    assert_accessible(page, name="erreurs-liees-retrait")


def test_the_staff_message_and_refusal_forms_tie_their_errors(new_page, dossier):
    _public_id, pk = dossier
    desk = new_page("ordinateur")
    sign_in(desk, DIRECTOR, content.DEMO_PASSWORD)
    desk.goto(f"/cms/dossiers/{pk}/")
    # Blank, which the browser's « required » lets through and the portal refuses.
    desk.get_by_label("Message à la famille").fill("   ")
    desk.get_by_role("button", name="Envoyer", exact=True).click()
    expect(desk.locator("#id_message-body_error")).to_be_visible()
    assert_errors_tied(desk)
    assert_accessible(desk, name="erreurs-liees-message-ecole")

    desk.goto(f"/cms/dossiers/{pk}/")
    desk.get_by_role("button", name="Refuser le dossier").click()
    expect(desk.locator("#id_refuse-comment_error")).to_be_visible()
    assert_errors_tied(desk)
    assert_accessible(desk, name="erreurs-liees-refus")
