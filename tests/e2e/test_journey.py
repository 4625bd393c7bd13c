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
import time
import uuid
from dataclasses import dataclass, field

import pytest

from inscrire.demo import content

from .a11y import assert_accessible
from .browser import ACTION_TIMEOUT_MS, VIEWPORTS, screenshot

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

DEMO = "inscrire.example"
DIRECTOR = f"direction.sainte-luce-maternelle@{DEMO}"
MAIRIE = f"mairie.sainte-luce@{DEMO}"  # the school service of the family's commune
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
    # The same page whether the address had an account or not: nobody is signed in yet.
    expect(page.get_by_role("heading", name="Vérifiez votre messagerie")).to_be_visible()
    journey.check(page, "14-inscription-etape-5")

    # The confirmation link comes by e-mail, through the outbox and the Huey consumer.
    mail = journey.mailbox.wait_for(to=parent.email, subject_contains="Confirmez votre adresse e-mail")
    page.goto(mail.link_starting_with(journey.app.url + confirmation_path()))
    journey.check(page, "15-confirmation-adresse")
    page.get_by_role("button", name="Confirmer mon adresse e-mail").click()
    expect(page.get_by_text("Merci : votre adresse e-mail est confirmée.")).to_be_visible()
    sign_in(page, parent.email, parent.password)
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

FORM_SLUG = "inscription-2026-2027"  # inscrire/demo/enrolment.py
ALLERGIES = "Allergie à l'arachide : éviction stricte, trousse PAI à l'école."
PICKUP = [("Paulette Louis-Joseph", "Grand-mère", "0696 11 22 33"), ("Jean Rosine", "Voisin", "0696 44 55 66")]
UPLOADS = {  # field name → (file name, kind); the PDF checked by pypdf, the images re-encoded by Pillow
    "acte_naissance": ("acte-naissance.pdf", "pdf"),
    "justificatif_domicile": ("justificatif-domicile.png", "png"),
    "carnet_vaccination": ("carnet-vaccination.jpg", "jpeg"),
}
POLL_SECONDS = 90  # the Huey consumer, on a busy machine


def sample_file(name: str, kind: str) -> dict:
    """A small but real file, as Playwright's ``set_input_files`` takes it."""
    import io

    buffer = io.BytesIO()
    if kind == "pdf":
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        writer.write(buffer)
        mime = "application/pdf"
    else:
        from PIL import Image

        Image.new("RGB", (64, 48), (30, 110, 160)).save(buffer, "PNG" if kind == "png" else "JPEG")
        mime = f"image/{kind}"
    return {"name": name, "mimeType": mime, "buffer": buffer.getvalue()}


def pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def named(page, name: str):
    """The form control(s) named ``name`` (labels carry the « (obligatoire) » mark)."""
    return page.locator(f'[name="{name}"]')


def tab_to(page, target, *, limit: int = 40) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} jamais atteint au clavier en {limit} tabulations")


def sign_in(page, email: str, password: str) -> None:
    from django.urls import reverse

    page.goto(reverse("accounts:login"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(re.escape(reverse("accounts:login"))))


def test_2_the_parent_fills_the_enrolment_form_on_a_phone_with_the_keyboard(journey):
    journey.requires("enfants")
    page = journey.person("parent").page  # the phone of step 1
    child = journey.facts["enfants"][0]
    page.goto(f"/{FORM_SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscriptions scolaires 2026-2027")
    journey.check(page, "20-formulaire-accueil")
    # The page serves every school (its « écoles concernées » is empty), so the
    # school chosen at sign-up is the only choice and no select is shown.
    page.get_by_role("button", name=f"Commencer le dossier de {child}").click()

    # Step 1 — the child, pre-filled from « Mon compte ».
    expect(page.get_by_text("Étape 1 sur 8")).to_be_visible()
    expect(named(page, "prenom")).to_have_value(child)
    journey.check(page, "21-dossier-etape-1-enfant")
    named(page, "commune_naissance").fill("Fort-de-France")
    page.locator('[name="derogation"][value="non"]').check()  # the school of the sector
    expect(named(page, "derogation_motif")).to_be_hidden()
    page.get_by_role("button", name="Continuer").click()

    # Step 2 — the legal guardians.
    expect(page.get_by_text("Étape 2 sur 8")).to_be_visible()
    expect(named(page, "resp1_prenom")).to_have_value("Séverine")
    journey.check(page, "22-dossier-etape-2-responsables")
    page.locator('[name="resp1_lien"][value="Mère"]').check()
    named(page, "resp1_telephone").fill("0696 12 34 56")
    named(page, "adresse").fill("12 rue Schœlcher")
    named(page, "code_postal").fill("97228")
    named(page, "commune").fill("Sainte-Luce")
    page.locator('[name="second_responsable"][value="non"]').check()
    expect(named(page, "resp2_nom")).to_be_hidden()
    page.get_by_role("button", name="Continuer").click()

    # Step 3 — health, with the keyboard only: « allergies » reveals its detail.
    expect(page.get_by_text("Étape 3 sur 8")).to_be_visible()
    detail = named(page, "allergies_detail")
    expect(detail).to_be_hidden()
    journey.check(page, "23-dossier-etape-3-sante")
    allergies_yes = page.locator('[name="allergies"][value="oui"]')
    tab_to(page, allergies_yes)  # an unchecked radio group takes the focus on its first choice
    page.keyboard.press("Space")
    expect(allergies_yes).to_be_checked()
    expect(detail).to_be_visible()
    page.keyboard.press("Tab")
    expect(detail).to_be_focused()
    page.keyboard.type(ALLERGIES)
    pai_yes = page.locator('[name="pai"][value="oui"]')
    page.keyboard.press("Tab")
    expect(pai_yes).to_be_focused()
    page.keyboard.press("Space")
    expect(pai_yes).to_be_checked()
    page.keyboard.press("Tab")
    expect(named(page, "traitement")).to_be_focused()
    page.keyboard.press("Tab")
    expect(named(page, "medecin")).to_be_focused()
    page.keyboard.type("Dr Zobda")
    journey.check(page, "24-dossier-etape-3-sante-allergies")
    continuer = page.get_by_role("button", name="Continuer")
    tab_to(page, continuer)
    page.keyboard.press("Enter")

    # Step 4 — two persons allowed to pick the child up, the second added with « Ajouter ».
    expect(page.get_by_text("Étape 4 sur 8")).to_be_visible()
    journey.check(page, "25-dossier-etape-4-personnes")
    rows = page.locator("[data-group-rows] > [data-group-row]")
    expect(rows).to_have_count(1)
    page.get_by_role("button", name="Ajouter : Personne").click()
    expect(rows).to_have_count(2)
    expect(named(page, "personnes_autorisees-1-nom")).to_be_focused()
    for index, (person, link, phone) in enumerate(PICKUP):
        named(page, f"personnes_autorisees-{index}-nom").fill(person)
        named(page, f"personnes_autorisees-{index}-lien").fill(link)
        named(page, f"personnes_autorisees-{index}-telephone").fill(phone)
    journey.check(page, "26-dossier-etape-4-deux-personnes")
    page.get_by_role("button", name="Continuer").click()

    # Step 5 — canteen.
    expect(page.get_by_text("Étape 5 sur 8")).to_be_visible()
    page.locator('[name="cantine"][value="non"]').check()
    journey.check(page, "27-dossier-etape-5-cantine")
    page.get_by_role("button", name="Continuer").click()

    # Step 6 — documents: a PDF and two photos, then a draft saved.
    expect(page.get_by_text("Étape 6 sur 8")).to_be_visible()
    journey.check(page, "28-dossier-etape-6-documents")
    for name, (filename, kind) in UPLOADS.items():
        named(page, name).set_input_files(sample_file(filename, kind))
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes dossiers")
    journey.check(page, "29-mes-dossiers-brouillon")

    # Back from « Mes dossiers »: the documents are kept.
    page.goto("/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Mes dossiers").click()
    # On a phone each dossier of « Mes dossiers » is a card that fits the screen
    # (measured once its stylesheet has loaded).
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes dossiers")
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "défilement horizontal"
    page.locator("tr").filter(has_text=child).get_by_role("link", name="Reprendre").click()
    expect(page.get_by_text("Étape 6 sur 8")).to_be_visible()
    documents = {}
    for name, (filename, _kind) in UPLOADS.items():
        link = page.get_by_role("link", name=filename)
        expect(link).to_be_visible()
        documents[name] = link.get_attribute("href")
    journey.check(page, "30-dossier-etape-6-documents-joints")
    page.get_by_role("button", name="Continuer").click()

    # Step 7 — commitments.
    expect(page.get_by_text("Étape 7 sur 8")).to_be_visible()
    named(page, "reglement").check()
    named(page, "exactitude").check()
    journey.check(page, "31-dossier-etape-7-engagements")
    page.get_by_role("button", name="Continuer").click()

    # Review: every answer found again, then submitted.
    expect(page.get_by_text("Étape 8 sur 8")).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text(ALLERGIES)
    for person, *_ in PICKUP:
        expect(main).to_contain_text(person)
    journey.check(page, "32-dossier-recapitulatif")
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_text("Dossier déposé.")).to_be_visible()
    journey.check(page, "33-dossier-depose")
    public_id = re.search(r"/dossiers/([0-9a-f-]{36})/", page.url).group(1)
    journey.facts.update(dossier=public_id, documents=documents, enfant=child)
    journey.completed("dossier")


def followup_path(public_id: str) -> str:
    from django.urls import reverse

    return reverse("dossiers:family_dossier", kwargs={"public_id": public_id})


# --- 3. Review by the director, correction, validation -------------------------------------------

CORRECTION = "Merci d'indiquer le numéro de téléphone du médecin traitant."


def test_3_the_mairie_enrols_then_the_director_asks_for_a_correction_and_admits(journey):
    journey.requires("dossier")
    child = journey.facts["enfant"]
    parent = journey.person("parent")

    # « Inscription en mairie »: the school service of Sainte-Luce, where the family lives, enrols the child.
    mairie = journey.person("mairie", email=MAIRIE, password=content.DEMO_PASSWORD, viewport="ordinateur")
    sign_in(mairie.page, mairie.email, mairie.password)
    mairie.page.goto("/cms/dossiers/")
    row = mairie.page.get_by_role("row").filter(has_text=f"{child} Louis-Joseph")
    expect(row).to_contain_text("Inscription en mairie")
    screenshot(mairie.page, "parcours-39-mairie-dossiers")
    row.get_by_role("link").first.click()
    mairie.page.get_by_role("button", name="Valider le dossier").click()
    expect(mairie.page.get_by_text(re.compile(r"Le dossier \S+ est validé"))).to_be_visible()
    expect(mairie.page.get_by_role("main")).to_contain_text("Admission par l'école")
    screenshot(mairie.page, "parcours-39-mairie-valide")

    # « Admission par l'école »: the director of the school.
    director = journey.person("direction", email=DIRECTOR, password=content.DEMO_PASSWORD, viewport="ordinateur")
    desk = director.page
    sign_in(desk, director.email, director.password)
    desk.goto("/cms/dossiers/")
    row = desk.get_by_role("row").filter(has_text=f"{child} Louis-Joseph")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Admission par l'école")
    screenshot(desk, "parcours-40-direction-dossiers")
    row.get_by_role("link").first.click()
    expect(desk.get_by_role("heading", name="Décision")).to_be_visible()
    detail_url = desk.url
    journey.facts["dossier_admin"] = detail_url
    screenshot(desk, "parcours-41-direction-dossier")

    # The documents: the PDF embedded, the photo opened at its own address.
    pdf_frame = desk.locator("iframe[title='acte-naissance.pdf']")
    expect(pdf_frame).to_be_attached()
    pdf = desk.request.get(pdf_frame.get_attribute("src"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    photo_url = desk.locator("img[alt='justificatif-domicile.png']").get_attribute("src")
    answer = desk.goto(photo_url)
    assert answer.ok and answer.headers["content-type"] == "image/png"
    screenshot(desk, "parcours-42-direction-document")

    # A correction asked.
    desk.goto(detail_url)
    desk.get_by_label("Ce que la famille doit corriger ou ajouter").fill(CORRECTION)
    desk.get_by_role("button", name="Demander des compléments").click()
    expect(desk.get_by_text("Les compléments sont demandés à la famille")).to_be_visible()

    # The parent is mailed (through the Huey consumer) and the link leads to
    # the follow-up page, which shows the request; she corrects and submits again.
    page = parent.page
    subject = f"Dossier de {child} : une correction est demandée"
    mail = journey.mailbox.wait_for(to=parent.email, subject_contains=subject)
    assert CORRECTION in mail.text
    page.goto(mail.link_starting_with(journey.app.url))
    expect(page).to_have_url(re.compile(re.escape(followup_path(journey.facts["dossier"]))))
    expect(page.get_by_role("main")).to_contain_text(CORRECTION)
    journey.check(page, "43-suivi-complements-demandes")
    page.get_by_role("link", name="Corriger le dossier et le déposer à nouveau").click()
    page.get_by_role("link", name="Continuer ce dossier").click()
    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    journey.check(page, "44-correction-reprise")
    public_id = journey.facts["dossier"]
    page.goto(f"/dossiers/{public_id}/etape/2/")
    expect(page.get_by_text("Étape 3 sur 8")).to_be_visible()
    named(page, "medecin_telephone").fill("0596 63 00 00")
    journey.check(page, "45-correction-sante")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 4 sur 8")).to_be_visible()
    page.goto(f"/dossiers/{public_id}/recapitulatif/")
    expect(page.get_by_role("main")).to_contain_text("05 96 63 00 00")
    journey.check(page, "46-correction-recapitulatif")
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_text("Dossier déposé.")).to_be_visible()

    # The director validates.
    desk.goto(detail_url)
    expect(desk.get_by_role("main")).to_contain_text("05 96 63 00 00")
    desk.get_by_role("button", name="Valider le dossier").click()
    expect(desk.get_by_text(re.compile(r"Le dossier \S+ est validé"))).to_be_visible()
    screenshot(desk, "parcours-47-direction-valide")
    journey.completed("validation")


# --- 4. Payment and attestation ---------------------------------------------------------------------


def test_4_the_parent_pays_cash_and_downloads_the_attestation(journey):
    journey.requires("validation")
    child = journey.facts["enfant"]
    page = journey.person("parent").page
    public_id = journey.facts["dossier"]
    page.goto(followup_path(public_id))
    journey.check(page, "50-suivi-a-regler")
    page.get_by_role("link", name="Régler le paiement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Paiement")
    journey.check(page, "51-paiement")
    page.get_by_role("group", name="Service").get_by_role("radio").first.check()
    named(page, "first_month").select_option(index=0)
    page.get_by_role("radio", name="Espèces").check()
    page.get_by_role("button", name="Enregistrer mon choix").click()
    expect(page.get_by_text("Votre choix est enregistré.")).to_be_visible()
    journey.check(page, "52-paiement-especes")
    due = re.search(r"Montant à apporter : ([\d\s\u00a0\u202f]+,\d\d) €", page.get_by_role("main").inner_text())
    amount = due.group(1)
    with page.expect_download() as slip:
        page.get_by_role("link", name="Télécharger le bordereau de paiement (PDF)").click()
    assert slip.value.path().read_bytes().startswith(b"%PDF")

    finance = journey.person("finance", email=FINANCE, password=content.DEMO_PASSWORD, viewport="ordinateur")
    desk = finance.page
    sign_in(desk, finance.email, finance.password)
    desk.goto("/cms/paiements/")
    cash = desk.locator("section[aria-labelledby='cash-title']").get_by_role("row").filter(has_text=child)
    expect(cash).to_have_count(1)
    screenshot(desk, "parcours-53-finance-paiements")
    cash.get_by_role("link").first.click()
    desk.get_by_label("Montant reçu (€)").fill(amount)
    desk.get_by_label("Numéro du reçu").fill(f"R-{journey.run}")
    screenshot(desk, "parcours-54-finance-especes")
    desk.get_by_role("button", name="Enregistrer le paiement").click()
    expect(desk.get_by_text("Paiement en espèces enregistré")).to_be_visible()

    # The attestation is made by the Huey consumer: a bounded poll on the page.
    page.goto(followup_path(public_id))
    link = page.get_by_role("link", name="Télécharger l'attestation d'inscription (PDF)")
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        try:
            link.wait_for(state="visible", timeout=2_000)
            break
        except sync_api.TimeoutError:
            assert time.monotonic() < deadline, f"pas d'attestation après {POLL_SECONDS} s"
            page.reload()
    journey.check(page, "55-suivi-confirme-attestation")
    with page.expect_download() as attestation:
        link.click()
    content_ = attestation.value.path().read_bytes()
    assert content_.startswith(b"%PDF")
    assert f"{child} Louis-Joseph" in pdf_text(content_)
    journey.facts["attestation"] = link.get_attribute("href")
    journey.completed("paiement")


# --- 5. Another family sees nothing -------------------------------------------------------------------


def test_5_a_second_parent_cannot_reach_the_first_familys_dossier_or_documents(journey):
    journey.requires("dossier")
    other = journey.person("autre-parent", email=f"parent@{DEMO}", password=content.DEMO_PASSWORD)
    page = other.page
    sign_in(page, other.email, other.password)
    public_id = journey.facts["dossier"]
    urls = [
        followup_path(public_id),
        f"/dossiers/{public_id}/",
        f"/dossiers/{public_id}/etape/0/",
        f"/dossiers/{public_id}/etape/5/",
        f"/dossiers/{public_id}/recapitulatif/",
        f"/paiements/{public_id}/",
        f"/paiements/{public_id}/bordereau.pdf",
        f"/dossiers/{public_id}/attestation.pdf",
        *journey.facts["documents"].values(),
    ]
    if "attestation" in journey.facts:
        urls.append(journey.facts["attestation"])
    statuses = {url: page.goto(url).status for url in dict.fromkeys(urls)}
    assert all(status == 404 for status in statuses.values()), statuses
    journey.check(page, "60-autre-famille-404")
    journey.completed("cloisonnement")


def test_the_journey_is_complete(journey):
    """Says, in one line of the report, which steps still wait for their feature."""
    assert not journey.errors, "Erreurs JavaScript :\n" + "\n".join(journey.errors)
    pending = [step for step in STEPS if step not in journey.done]
    if pending:
        pytest.skip(f"Parcours incomplet, étapes en attente : {', '.join(pending)}")
