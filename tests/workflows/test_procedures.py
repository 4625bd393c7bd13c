"""Procedures as editors compose them (issue 16): an editor builds, through
the Wagtail page editor's own form posts, a procedure whose dossiers go to
the mairie of the family's commune, then — only when the family asks for
it — to the school; with the procedure's own confirmation e-mail and
attestation. Families' dossiers walk the stages, each decided by the right
group; a page whose stages cannot run is refused, the reason next to the
block."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.http import QueryDict
from django.test import Client
from wagtail.test.utils.form_data import querydict_from_html, rich_text

from accounts.models import Child
from tests.factories import UserFactory, built_in_group
from tests.forms.conftest import review_url, start, step_url
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 — fixtures
from workflows import services
from workflows.constants import DossierState
from workflows.models import Dossier, ProcedurePage, ReviewerGroup

from .conftest import pdf_text

pytestmark = pytest.mark.django_db


# --- The page editor's form data -------------------------------------------------------------------


def _condition(prefix: str, data: QueryDict, field: str = "", operator: str = "equals", value: str = "",
               value2: str = "", match: str = "all") -> None:
    """A condition block: « all » or « any » of its clauses (here one, or none)."""
    data[f"{prefix}-match"] = match
    data[f"{prefix}-clauses-count"] = "1" if field else "0"
    if field:
        clause = f"{prefix}-clauses-0"
        data[f"{clause}-deleted"], data[f"{clause}-order"] = "", "0"
        data[f"{clause}-value-field"], data[f"{clause}-value-operator"] = field, operator
        data[f"{clause}-value-value"], data[f"{clause}-value-value2"] = value, value2


def _question(data: QueryDict, prefix: str, kind: str, label: str, name: str, *, required: bool = True) -> None:
    data[f"{prefix}-type"], data[f"{prefix}-deleted"] = kind, ""
    value = f"{prefix}-value"
    data[f"{value}-label"], data[f"{value}-name"], data[f"{value}-help_text"] = label, name, ""
    if required:
        data[f"{value}-required"] = "on"
    data[f"{value}-prefill"] = ""
    _condition(f"{value}-condition", data)


def form_data(data: QueryDict) -> None:
    """One step: the commune where the family lives, and whether it asks
    for the school outside the sector."""
    data["form-count"] = "1"
    step = "form-0"
    data[f"{step}-type"], data[f"{step}-deleted"], data[f"{step}-order"] = "step", "", "0"
    data[f"{step}-value-title"] = "La famille"
    data[f"{step}-value-intro"] = rich_text("")
    _condition(f"{step}-value-condition", data)
    data[f"{step}-value-fields-count"] = "2"
    for index, (kind, label, name) in enumerate([("text", "Commune de résidence", "commune"),
                                                 ("yesno", "Demande de dérogation", "derogation")]):
        prefix = f"{step}-value-fields-{index}"
        data[f"{prefix}-order"] = str(index)
        _question(data, prefix, kind, label, name)


def review_data(data: QueryDict, index: int, *, title: str, groups, routing: str = "school", question: str = "",
                fallback=None, decisions=("validate", "refuse", "correct"), condition=("", "equals", "")) -> None:
    prefix = f"stages-{index}"
    data[f"{prefix}-type"], data[f"{prefix}-deleted"], data[f"{prefix}-order"] = "review", "", str(index)
    value = f"{prefix}-value"
    data[f"{value}-title"] = title
    data[f"{value}-groups-count"] = str(len(groups))
    for i, group in enumerate(groups):
        item = f"{value}-groups-{i}"
        data[f"{item}-value"], data[f"{item}-deleted"], data[f"{item}-order"] = str(group.pk), "", str(i)
    data[f"{value}-routing"], data[f"{value}-routing_question"] = routing, question
    data[f"{value}-fallback"] = str(fallback.pk) if fallback else ""
    data.setlist(f"{value}-decisions", list(decisions))
    _condition(f"{value}-condition", data, *condition)
    data[f"{value}-delay_days"] = ""


def attestation_data(data: QueryDict, index: int, *, title: str, body: str) -> None:
    prefix = f"stages-{index}"
    data[f"{prefix}-type"], data[f"{prefix}-deleted"], data[f"{prefix}-order"] = "attestation", "", str(index)
    data[f"{prefix}-value-title"], data[f"{prefix}-value-body"] = title, body
    data[f"{prefix}-value-signature"] = "Le maire"


def message_data(data: QueryDict, *, event: str, subject: str, body: str) -> None:
    data["messages-TOTAL_FORMS"], data["messages-INITIAL_FORMS"] = "1", "0"
    data["messages-MIN_NUM_FORMS"], data["messages-MAX_NUM_FORMS"] = "0", "1000"
    data["messages-0-event"], data["messages-0-subject"], data["messages-0-body"] = event, subject, body
    data["messages-0-ORDER"], data["messages-0-DELETE"] = "0", ""


def text_of(response) -> str:
    """A page's text as a reader gets it: tags gone, spaces folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def stage_errors(response) -> dict[int, list[str]]:
    """The errors the page editor shows on each block of « Étapes du
    dossier » (its stream's arguments: value, then the errors by block)."""
    import json

    html = response.content.decode()
    for raw in re.findall(r'data-w-block-arguments-value="([^"]*)"', html):
        arguments = json.loads(unescape(raw))
        value = arguments[0] if arguments else None
        if not (isinstance(value, list) and value and isinstance(value[0], dict)
                and value[0].get("type") in ("review", "payment", "attestation")):
            continue
        errors = arguments[1] if len(arguments) > 1 and arguments[1] else {}

        def flatten(node) -> list[str]:
            found = []
            if isinstance(node, dict):
                found += [unescape(m) for m in node.get("messages", [])]
                for child in node.values():
                    if isinstance(child, (dict, list)):
                        found += flatten(child)
            elif isinstance(node, list):
                for child in node:
                    found += flatten(child)
            return found

        return {int(i): flatten(e) for i, e in (errors.get("blockErrors") or {}).items()}
    return {}


def form_errors(response) -> str:
    """The editor form's error messages, for a failing assertion."""
    html = unescape(response.content.decode())
    found = re.findall(r'class="[^"]*error-message[^"]*"[^>]*>(.*?)</', html, re.S)
    found += re.findall(r'"messages": \[(.*?)\]', html)
    found += re.findall(r'<p class="help-block help-critical"[^>]*>(.*?)</p>', html, re.S)
    return " | ".join(" ".join(f.split()) for f in found) or html[-3000:]


def editor_post(client, url: str, fill) -> object:
    """What the editor's browser posts: the page editor's own form, read
    from its HTML, with the fields ``fill`` sets; « Publier »."""
    page = client.get(url)
    assert page.status_code == 200
    data = querydict_from_html(page.content.decode(), form_id="page-edit-form")
    data = data.copy()
    fill(data)
    data["action-publish"] = "action-publish"
    return client.post(url, {key: data.getlist(key) for key in data})  # every value of a multiple choice


# --- The world -------------------------------------------------------------------------------------


@pytest.fixture
def groups(school):
    mairie_luce = ReviewerGroup.objects.create(name="Service scolaire — Mairie de Sainte-Luce", communes="Sainte-Luce")
    mairie_marin = ReviewerGroup.objects.create(name="Service scolaire — Mairie du Marin", communes="Le Marin")
    commission = ReviewerGroup.objects.create(name="Commission des dérogations")
    people = {}
    for key, group in (("luce", mairie_luce), ("marin", mairie_marin), ("commission", commission)):
        people[key] = UserFactory(first_name=key)
        group.members.add(people[key])
        group.save()
    services.reviewer_access_sync()
    return {"luce": mairie_luce, "marin": mairie_marin, "commission": commission, "people": people}


@pytest.fixture
def editor_client(db):
    client = Client()
    client.force_login(UserFactory(editor=True))
    return client


def procedure_fill(groups):
    """The editor's entries for the mairie procedure."""

    def fill(data):
        data["title"], data["slug"] = "Inscriptions en mairie 2026-2027", "inscriptions-mairie"
        form_data(data)
        data["stages-count"] = "3"
        review_data(data, 0, title="Inscription en mairie", groups=[groups["luce"], groups["marin"]],
                    routing="answer", question="Commune de résidence", fallback=groups["commission"])
        review_data(data, 1, title="Admission par l'école", groups=[built_in_group()],
                    condition=("derogation", "equals", "Non"))
        attestation_data(data, 2, title="Certificat d'inscription",
                         body="{enfant} est inscrit(e) par la mairie pour la démarche « {demarche} ».")
        message_data(data, event="dossier_confirmed", subject="{{ procedure.name }} : c'est fait",
                     body="Bonjour,\n\n{{ child.first_name }} est inscrit(e) ; commune : {{ answers.commune }}.\n\n{{ link }}")

    return fill


def build_procedure(editor_client, home, groups):
    response = editor_post(editor_client, f"/cms/pages/add/workflows/procedurepage/{home.pk}/",
                           procedure_fill(groups))
    assert response.status_code == 302, form_errors(response)
    return ProcedurePage.objects.get(slug="inscriptions-mairie")


def file(client, page, child, *, commune: str, derogation: str):
    submission = start(client, page, child)
    assert client.post(step_url(submission, 0), {"commune": commune, "derogation": derogation}).status_code == 302
    assert client.post(review_url(submission)).status_code == 302
    return Dossier.objects.get(submission=submission)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def decide(user, dossier, decision: str = "validate", comment: str = "") -> str:
    response = as_user(user).post(f"/cms/dossiers/{dossier.pk}/decision/{decision}/",
                                  {f"{decision}-comment": comment}, follow=True)
    return unescape(response.content.decode())


# --- The journey -----------------------------------------------------------------------------------


def test_an_editor_composes_two_reviews_and_families_walk_them(
    editor_client, home, school, director, family, child, parent, groups, smtp, django_capture_on_commit_callbacks
):
    page = build_procedure(editor_client, home, groups)
    assert page.live and [s["title"] for s in page.compiled_stages()] == [
        "Inscription en mairie", "Admission par l'école", "Certificat d'inscription"]
    assert page.messages.get().event == "dossier_confirmed"

    client = as_user(parent)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = file(client, page, child, commune="sainte luce", derogation="non")
    # The mairie of the commune the family answered, not the other one.
    assert (dossier.state, dossier.stage_title, dossier.review_group) == (
        DossierState.SUBMITTED, "Inscription en mairie", groups["luce"])
    people = groups["people"]
    assert sorted(m["To"] for m in smtp.messages()) == sorted([parent.email, people["luce"].email])

    # The other mairie does not see it; the school's director sees it but cannot decide yet.
    assert as_user(people["marin"]).get(f"/cms/dossiers/{dossier.pk}/").status_code == 404
    seen = as_user(director).get(f"/cms/dossiers/{dossier.pk}/")
    assert seen.status_code == 200 and "Valider le dossier" not in seen.content.decode()
    refused = as_user(director).post(f"/cms/dossiers/{dossier.pk}/decision/validate/", {"validate-comment": ""})
    assert refused.status_code == 404
    dossier.refresh_from_db()
    assert dossier.stage_title == "Inscription en mairie"

    with django_capture_on_commit_callbacks(execute=True):
        html = decide(people["luce"], dossier, comment="Adresse vérifiée")
    assert re.search(r"Le dossier \S+ est validé", html)
    dossier.refresh_from_db()
    assert (dossier.stage_title, dossier.review_group.kind) == ("Admission par l'école", "school_directors")
    # The family follows the stages on its page.
    follow = text_of(client.get(f"/dossiers/{dossier.submission.public_id}/suivi/"))
    assert "Inscription en mairie (terminée)" in follow and "Admission par l'école (en cours)" in follow

    with django_capture_on_commit_callbacks(execute=True):
        decide(director, dossier)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CONFIRMED
    assert services.dossier_process(dossier).status == "DONE"
    (confirmation,) = [m for m in smtp.messages() if "c'est fait" in m["Subject"]]
    assert confirmation["Subject"].strip() == "Inscriptions en mairie 2026-2027 : c'est fait"
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert "Léa est inscrit(e) ; commune : sainte luce." in text
    (attached,) = list(confirmation.iter_attachments())
    pdf = pdf_text(attached.get_content())
    assert "Certificat d'inscription" in pdf
    assert "Léa Joseph est inscrit(e) par la mairie pour la démarche « Inscriptions en mairie 2026-2027 »." in pdf

    # A second child asks for a school outside the sector: the school's stage does not take
    # place, and the mairie's validation confirms the dossier.
    sister = Child.objects.create(family=family, first_name="Inès", last_name="Joseph", birth_date=child.birth_date)
    with django_capture_on_commit_callbacks(execute=True):
        other = file(client, page, sister, commune="Sainte-Luce", derogation="oui")
        decide(people["luce"], other)
    other.refresh_from_db()
    assert other.state == DossierState.CONFIRMED and other.events.filter(action="validated").count() == 1


def test_a_commune_no_group_covers_goes_to_the_fallback_and_the_inbox_says_why(
    editor_client, home, school, family, child, parent, groups
):
    page = build_procedure(editor_client, home, groups)
    dossier = file(as_user(parent), page, child, commune="Fort-de-France", derogation="non")
    assert dossier.review_group == groups["commission"]
    listing = unescape(as_user(groups["people"]["commission"]).get("/cms/dossiers/").content.decode())
    assert dossier.reference in listing
    assert "Aucun groupe ne couvre la commune « Fort-de-France » : dossier confié au groupe de secours." in listing
    assert "Valider le dossier" in as_user(groups["people"]["commission"]).get(
        f"/cms/dossiers/{dossier.pk}/").content.decode()


# --- Stages that cannot run ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stages, message",
    [
        (lambda d, g: review_data(d, 0, title="Mairie", groups=[]), "Le nombre minimum d'éléments est 1"),
        (lambda d, g: review_data(d, 0, title="Mairie", groups=[g["luce"]], condition=("inconnue", "equals", "Oui")),
         "la condition porte sur « inconnue », qui n'est pas une question du formulaire"),
        (lambda d, g: review_data(d, 0, title="Mairie", groups=[g["luce"]]),
         "Un dossier pourrait n'être couvert par aucun de ces groupes"),
        (lambda d, g: review_data(d, 0, title="Mairie", groups=[g["commission"]], routing="answer",
                                  question="quartier"),
         "« quartier » n'est pas une question du formulaire."),
        (lambda d, g: review_data(d, 0, title="Mairie", groups=[g["commission"]], decisions=("refuse",)),
         "Sans « Valider », aucun dossier ne pourrait passer cette étape."),
        (lambda d, g: attestation_data(d, 0, title="Attestation", body="Bonjour {prenom}"),
         "« {prenom} » n'est pas un mot connu."),
    ],
)
def test_a_page_whose_stages_cannot_run_is_refused_next_to_the_block(editor_client, home, groups, stages, message):
    def fill(data):
        data["title"], data["slug"] = "Démarche cassée", "demarche-cassee"
        form_data(data)
        data["stages-count"] = "1"
        stages(data, groups)

    response = editor_post(editor_client, f"/cms/pages/add/workflows/procedurepage/{home.pk}/", fill)
    assert response.status_code == 200
    (errors,) = stage_errors(response).values()  # on the one stage
    assert any(message in error for error in errors), errors
    assert not ProcedurePage.objects.filter(slug="demarche-cassee").exists()


def test_two_attestations_are_refused(editor_client, home, groups):
    def fill(data):
        data["title"], data["slug"] = "Deux attestations", "deux-attestations"
        form_data(data)
        data["stages-count"] = "2"
        attestation_data(data, 0, title="Une", body="")
        attestation_data(data, 1, title="Deux", body="")

    response = editor_post(editor_client, f"/cms/pages/add/workflows/procedurepage/{home.pk}/", fill)
    assert response.status_code == 200
    assert not ProcedurePage.objects.filter(slug="deux-attestations").exists()


# --- Reviewer groups ---------------------------------------------------------------------------------


def test_an_editor_adds_a_member_to_a_group_who_then_reaches_the_workspace(editor_client, groups):
    newcomer = UserFactory(first_name="Nouvelle")
    assert as_user(newcomer).get("/cms/dossiers/").status_code in (302, 404)
    group = groups["marin"]
    url = f"/cms/snippets/workflows/reviewergroup/edit/{group.pk}/"
    form = querydict_from_html(editor_client.get(url).content.decode(), form_id="w-editor-form").copy()
    form.setlist("members", [str(u.pk) for u in group.members.all()] + [str(newcomer.pk)])
    response = editor_client.post(url, {key: form.getlist(key) for key in form})
    assert response.status_code == 302, unescape(response.content.decode())[:2000]
    newcomer.refresh_from_db()
    assert newcomer.groups.filter(name="Instructeurs").exists()
    assert as_user(newcomer).get("/cms/dossiers/").status_code == 200
    # Built-in groups stay.
    built_in = built_in_group()
    editor_client.post(f"/cms/snippets/workflows/reviewergroup/delete/{built_in.pk}/")
    assert ReviewerGroup.objects.filter(pk=built_in.pk).exists()


def test_the_procedures_messages_are_previewed_on_its_own_sample_dossier(editor_client, home, groups):
    page = build_procedure(editor_client, home, groups)
    # The preview panel posts the editor's form, then shows the mode asked for.
    data = querydict_from_html(editor_client.get(f"/cms/pages/{page.pk}/edit/").content.decode(),
                               form_id="page-edit-form").copy()
    procedure_fill(groups)(data)
    data["messages-INITIAL_FORMS"] = "0"
    preview = f"/cms/pages/{page.pk}/edit/preview/"
    assert editor_client.post(preview, {key: data.getlist(key) for key in data}).json()["is_valid"]
    response = editor_client.get(preview + "?mode=messages")
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Inscriptions en mairie 2026-2027 : c'est fait" in html
    assert "commune : Sainte-Luce." in html  # the sample answer of a text question
    assert "<p>Bonjour,</p>" in html  # in paragraphs, as the e-mail shows it




# --- What the editor is told (issue 18) ----------------------------------------------------------------


def _json_unescaped(text: str) -> str:
    """Block errors reach the page inside the editor's JSON: « \\u00e9 » for « é »."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)


def test_an_empty_form_is_refused_on_save_in_french_not_before(editor_client, home):
    # Wagtail's editor checked the form's « min_num » as soon as it opened (tests/e2e/test_preview.py).
    add = f"/cms/pages/add/workflows/procedurepage/{home.pk}/"

    def fill(data):
        data["title"], data["slug"] = "Démarche sans étape", "sans-etape"
        data["form-count"], data["stages-count"] = "0", "0"

    response = editor_post(editor_client, add, fill)
    assert response.status_code == 200
    assert "Ajoutez au moins une étape au formulaire." in _json_unescaped(form_errors(response))
    assert "Le nombre minimum d'éléments" not in unescape(response.content.decode())
    assert not ProcedurePage.objects.filter(slug="sans-etape").exists()


def test_a_document_question_is_not_prefilled(editor_client, home):
    def fill(data):
        data["title"], data["slug"] = "Démarche avec document", "avec-document"
        form_data(data)
        data["stages-count"] = "0"
        data["form-0-value-fields-count"] = "3"
        prefix = "form-0-value-fields-2"
        data[f"{prefix}-order"] = "2"
        _question(data, prefix, "file", "Justificatif de domicile", "justificatif")
        data[f"{prefix}-value-prefill"] = "family.address"
        data.setlist(f"{prefix}-value-allowed_types", ["pdf"])
        data[f"{prefix}-value-max_size_mb"], data[f"{prefix}-value-max_age_months"] = "5", ""

    response = editor_post(editor_client, f"/cms/pages/add/workflows/procedurepage/{home.pk}/", fill)
    assert response.status_code == 200
    assert ("« Justificatif de domicile » est un document à joindre, il ne se pré-remplit pas : laissez "
            "« Pré-remplir avec » vide.") in _json_unescaped(form_errors(response))
    assert not ProcedurePage.objects.filter(slug="avec-document").exists()


def test_new_dossiers_follow_the_published_version_and_drop_a_deleted_group(
    editor_client, home, school, family, child, parent, groups
):
    """Each process compiles a published version of the stages once; a
    republication with other stages, or a group deleted since, still shows
    on the next dossier."""
    page = build_procedure(editor_client, home, groups)
    client = as_user(parent)
    first = file(client, page, child, commune="Sainte-Luce", derogation="non")
    assert (first.stage_title, first.review_group) == ("Inscription en mairie", groups["luce"])

    groups["luce"].delete()
    sister = Child.objects.create(family=family, first_name="Inès", last_name="Joseph", birth_date=child.birth_date)
    second = file(client, page, sister, commune="Sainte-Luce", derogation="non")
    assert second.review_group == groups["commission"]
    assert second.stages[0]["groups"] == [groups["marin"].pk]
    assert "Sainte-Luce" in second.routing_note

    def retitled(data):
        procedure_fill(groups)(data)
        data["stages-0-value-title"] = "Inscription au service scolaire"
        data["stages-0-value-groups-0-value"] = str(groups["marin"].pk)
        data["messages-INITIAL_FORMS"] = "1"  # the page's message, read from the editor with its id

    response = editor_post(editor_client, f"/cms/pages/{page.pk}/edit/", retitled)
    assert response.status_code == 302, form_errors(response)
    brother = Child.objects.create(family=family, first_name="Noé", last_name="Joseph", birth_date=child.birth_date)
    third = file(client, ProcedurePage.objects.get(pk=page.pk), brother, commune="Le Marin", derogation="non")
    assert (third.stage_title, third.review_group) == ("Inscription au service scolaire", groups["marin"])
    second.refresh_from_db()
    assert second.stage_title == "Inscription en mairie"  # a running dossier keeps its copy


def test_after_deposer_the_family_reads_the_stage_its_dossier_waits_at(
    editor_client, home, school, family, child, parent, director, groups
):
    """The message after « Déposer » names the stage the dossier is at — after
    a correction, the review that asked for it, not the procedure's first."""
    page = build_procedure(editor_client, home, groups)
    client = as_user(parent)
    submission = start(client, page, child)
    answers = {"commune": "Sainte-Luce", "derogation": "non"}
    assert client.post(step_url(submission, 0), answers).status_code == 302
    filed = text_of(client.post(review_url(submission), follow=True))
    assert "Dossier déposé. Prochaine étape : « Inscription en mairie ». Vous suivez son avancement ici." in filed

    dossier = Dossier.objects.get(submission=submission)
    decide(groups["people"]["luce"], dossier)
    decide(director, dossier, "correct", "L'attestation de domicile est illisible.")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CORRECTION
    assert client.post(step_url(submission, 0), answers).status_code == 302
    filed = text_of(client.post(review_url(submission), follow=True))
    assert "Dossier déposé. Prochaine étape : « Admission par l'école ». Vous suivez son avancement ici." in filed
