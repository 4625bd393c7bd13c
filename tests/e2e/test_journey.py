"""The whole journey of issue 10, in a real browser, step after step.

One test per step of the issue, run in the order of this file, sharing one
world (the ``journey`` fixture): the people of the story — each with a
browser context of its own, so their sessions never mix — and what earlier
steps created (addresses, dossier URLs…). A step whose predecessor did not
complete is skipped, naming the step it waits for, so one failure reads as
one failure and not as a cascade.

Every key page goes through ``journey.check(page, name)``: axe-core in French
(no serious or critical violation) and a screenshot named
``parcours-<name>.png`` in ``tests/artifacts/screenshots/``.

Steps whose feature has not landed yet start with ``waiting_for(issue,
what)``, and a comment says what the step must do. When the feature lands,
delete that line, write the body in place of the comment (it already ends
with ``journey.completed("<step>")``). ``tests/e2e/README.md`` keeps the list.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import pytest

from cms.demo import content

from .a11y import assert_accessible
from .browser import ACTION_TIMEOUT_MS, VIEWPORTS, screenshot

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

DEMO = "inscrire.example"
DIRECTOR = f"direction.sainte-luce-maternelle@{DEMO}"
FINANCE = f"finance@{DEMO}"
SCHOOL = "École maternelle du Bourg"  # Sainte-Luce, 97228, whose director is DIRECTOR
# In the order of the issue; each test below ends with journey.completed(<its step>).
STEPS = ["aide", "inscription", "enfants", "dossier", "validation", "paiement", "cloisonnement"]


def account_path() -> str:
    from django.urls import reverse

    return reverse("accounts:account")


def confirmation_path() -> str:
    from django.urls import reverse

    return reverse("accounts:confirm_email", args=["x"]).removesuffix("x/")


def waiting_for(issue: int, what: str) -> None:
    pytest.skip(f"Parcours en attente de l'issue {issue} : {what}")


@dataclass
class Person:
    email: str
    password: str
    page: object  # playwright Page, in a context of its own


@dataclass
class Journey:
    """The shared world of the journey's steps."""

    app: object
    mailbox: object
    browser: object
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    people: dict[str, Person] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)  # what a step leaves for the next ones
    done: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    _contexts: list = field(default_factory=list)

    def person(self, role: str, *, email: str = "", password: str = "", viewport: str = "telephone") -> Person:
        """The person playing ``role``, created on first use with a browser of their own."""
        if role not in self.people:
            context = self.browser.new_context(
                base_url=self.app.url, locale="fr-FR", timezone_id="America/Martinique", **VIEWPORTS[viewport]
            )
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            self._contexts.append(context)
            page = context.new_page()
            page.on("pageerror", lambda error, role=role: self.errors.append(f"{role} : {error}"))
            self.people[role] = Person(email=email or f"{role}-{self.run}@exemple.mq",
                                       password=password or f"Parcours-{self.run}-2026!", page=page)
        return self.people[role]

    def check(self, page, name: str) -> None:
        """A key page: accessible (axe, in French), free of script errors, photographed."""
        assert not self.errors, "Erreurs JavaScript :\n" + "\n".join(self.errors)
        screenshot(page, f"parcours-{name}")
        assert_accessible(page, name=f"parcours-{name}")

    def requires(self, *steps: str) -> None:
        missing = [step for step in steps if step not in self.done]
        if missing:
            pytest.skip(f"Étape préalable non aboutie : {', '.join(missing)}")

    def completed(self, step: str) -> None:
        self.done.add(step)

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture(scope="module")
def journey(app, mailbox, browser):
    world = Journey(app=app, mailbox=mailbox, browser=browser)
    yield world
    world.close()


@pytest.fixture(autouse=True)
def _photograph_failures(journey, request):
    yield
    call = getattr(request.node, "rep_call", None)
    if call is not None and call.failed:
        for role, person in journey.people.items():
            if not person.page.is_closed():
                screenshot(person.page, f"ECHEC-{request.node.name}-{role}")


# --- 1. Help pages, sign-up, children -------------------------------------------------------


def test_1a_a_parent_reads_the_help_pages_on_a_phone(journey):
    page = journey.person("parent").page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(content.HOME["title"])
    journey.check(page, "01-accueil")

    page.get_by_role("link", name=content.HELP_INDEX["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(content.HELP_INDEX["title"])
    journey.check(page, "02-aide")

    index_url = page.url
    for number, (slug, title, *_rest) in enumerate(content.HELP_PAGES, start=3):
        page.get_by_role("navigation", name="Sommaire").get_by_role("link", name=title, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        journey.check(page, f"{number:02d}-aide-{slug}")
        page.goto(index_url)
    journey.completed("aide")


def test_1b_the_parent_signs_up_in_five_steps_and_confirms_the_email(journey):
    journey.requires("aide")
    parent = journey.person("parent")
    page = parent.page
    page.goto("/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Créer un compte").click()

    expect(page.get_by_text("Étape 1 sur 5")).to_be_visible()
    journey.check(page, "10-inscription-etape-1")
    page.get_by_label("Nom", exact=True).fill("Louis-Joseph")
    page.get_by_label("Prénom", exact=True).fill("Séverine")
    page.get_by_label("Adresse e-mail", exact=True).fill(parent.email)
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_text("Étape 2 sur 5")).to_be_visible()
    journey.check(page, "11-inscription-etape-2")
    page.get_by_label("Mot de passe", exact=True).fill(parent.password)
    page.get_by_label("Confirmez le mot de passe", exact=True).fill(parent.password)
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_text("Étape 3 sur 5")).to_be_visible()
    page.get_by_label("Code postal ou commune").fill("97228")
    page.get_by_role("button", name="Rechercher").click()
    school = page.get_by_role("checkbox", name=re.compile(SCHOOL))
    expect(school).to_be_visible()
    journey.check(page, "12-inscription-etape-3")
    school.check()
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_text("Étape 4 sur 5")).to_be_visible()
    journey.check(page, "13-inscription-etape-4")
    boxes = page.get_by_role("checkbox")
    expect(boxes.first).to_be_visible()
    for box in boxes.all():
        box.check()
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page.get_by_text("Étape 5 sur 5")).to_be_visible()
    expect(page.get_by_text("Votre compte est actif.")).to_be_visible()
    journey.check(page, "14-inscription-etape-5")

    # The confirmation link comes by e-mail, through the outbox and the Huey consumer.
    mail = journey.mailbox.wait_for(to=parent.email, subject_contains="Confirmez votre adresse e-mail")
    page.goto(mail.link_starting_with(journey.app.url + confirmation_path()))
    journey.check(page, "15-confirmation-adresse")
    page.get_by_role("button", name="Confirmer mon adresse e-mail").click()
    expect(page.get_by_text("Merci : votre adresse e-mail est confirmée.")).to_be_visible()
    journey.check(page, "16-mon-compte")
    journey.completed("inscription")


def test_1c_the_parent_adds_two_children(journey):
    journey.requires("inscription")
    page = journey.person("parent").page
    children = [("Maël", "2022-05-09", "Petite section"), ("Inès", "2019-11-23", "CP")]
    for number, (first_name, birth_date, level) in enumerate(children, start=17):
        page.goto(account_path())
        page.get_by_role("link", name="Ajouter un enfant").click()
        page.get_by_label("Prénom", exact=True).fill(first_name)
        page.get_by_label("Nom", exact=True).fill("Louis-Joseph")
        page.get_by_label("Date de naissance").fill(birth_date)
        page.get_by_label("Niveau à la rentrée").select_option(label=level)
        journey.check(page, f"{number}-enfant-{first_name}")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_text(f"{first_name} est ajouté(e) à votre famille.")).to_be_visible()
    for first_name, *_ in children:
        expect(page.get_by_role("link", name=f"{first_name} Louis-Joseph")).to_be_visible()
    journey.check(page, "19-mon-compte-deux-enfants")
    journey.facts["enfants"] = [first_name for first_name, *_ in children]
    journey.completed("enfants")


# --- 2. The enrolment form, on a phone, by keyboard ----------------------------------------------


def test_2_the_parent_fills_the_enrolment_form_on_a_phone_with_the_keyboard(journey):
    waiting_for(4, "formulaire d'inscription (champ conditionnel, personnes autorisées, pièces jointes, brouillon)")
    journey.requires("enfants")
    # On the phone, with the keyboard only (Tab / Espace / Entrée / typing; no
    # click): answer the question that reveals a conditional field and fill it;
    # add two persons allowed to pick up the child; upload a PDF and a photo
    # (page.set_input_files with small files made by the test); save a draft;
    # leave, come back, find the answers kept; submit. journey.check every step
    # of the form and the confirmation; keep the dossier URL in journey.facts.
    journey.completed("dossier")


# --- 3. Review by the director, correction, validation -------------------------------------------


def test_3_the_director_asks_for_a_correction_then_validates(journey):
    waiting_for(5, "circuit de validation (demande de correction, validation)")
    journey.requires("dossier")
    # director = journey.person("direction", email=DIRECTOR, password=content.DEMO_PASSWORD,
    #                           viewport="ordinateur"): signs in, opens the dossier,
    # views a document, asks for a correction; the parent gets the e-mail
    # (journey.mailbox.wait_for), corrects and resubmits; the director validates.
    journey.completed("validation")


# --- 4. Payment and attestation ---------------------------------------------------------------------


def test_4_the_parent_pays_cash_and_downloads_the_attestation(journey):
    waiting_for(6, "paiement en espèces et attestation")
    journey.requires("validation")
    # The parent chooses cash; finance = journey.person("finance", email=FINANCE, …)
    # records it; the parent downloads the attestation
    # (with page.expect_download() as download: …) and the test checks it is a PDF.
    journey.completed("paiement")


# --- 5. Another family sees nothing -------------------------------------------------------------------


def test_5_a_second_parent_cannot_reach_the_first_familys_dossier_or_documents(journey):
    waiting_for(9, "cloisonnement entre familles (dossier et pièces jointes)")
    journey.requires("dossier")
    # other = journey.person("autre-parent"), signed up (or created with
    # journey.app.shell(…)) and signed in; every URL kept in journey.facts
    # (dossier, documents, attestation) answers 404 or 403 to that session.
    journey.completed("cloisonnement")


def test_the_journey_is_complete(journey):
    """Says, in one line of the report, which steps still wait for their feature."""
    assert not journey.errors, "Erreurs JavaScript :\n" + "\n".join(journey.errors)
    pending = [step for step in STEPS if step not in journey.done]
    if pending:
        pytest.skip(f"Parcours incomplet, étapes en attente : {', '.join(pending)}")
