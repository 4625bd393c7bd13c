"""The reviewer's tools, through the staff pages: « prendre en charge », the
inbox's tabs and filters, private annotations and opinions (« avis »),
as the right and the wrong reviewer, and what the family never sees."""

import io
import json
import re
import zipfile
from html import unescape

import pytest
from django.db import transaction

from tests.factories import GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from tests.forms.conftest import _q, _step, make_page
from workflows import services
from workflows.constants import DossierAction, DossierState
from workflows.models import Dossier, DossierOpinion, ReviewerGroup

pytestmark = pytest.mark.django_db

NOTE = "Le père a appelé : garde alternée, vérifier l'adresse"
QUESTION = "L'adresse est-elle dans le secteur de l'école ?"
ANSWER = "Oui, rue des Flamboyants, secteur du Bourg"


def _dossier(parent, school, first_name, page=None):
    with transaction.atomic():
        extra = {"page": page} if page is not None else {}
        submission = SubmissionFactory(submitted=True, child__family=parent.family, child__first_name=first_name,
                                       school=school, submitted_by=parent, **extra)
        return services.dossier_open(submission=submission)


@pytest.fixture
def world(db):
    school, other_school = SchoolFactory(name="École du Bourg"), SchoolFactory(name="École de l'Anse")
    director, colleague = UserFactory(director=True), UserFactory(director=True)
    school.directors.add(director, colleague)
    outsider = UserFactory(director=True)
    other_school.directors.add(outsider)
    town_hall_member, far_member = UserFactory(first_name="Mona", last_name="Mairie"), UserFactory()
    town_hall = ReviewerGroup.objects.create(name="Service scolaire du Bourg")
    town_hall.schools.add(school)
    town_hall.members.add(town_hall_member)
    town_hall.save()
    far = ReviewerGroup.objects.create(name="Service scolaire de l'Anse")
    far.schools.add(other_school)
    far.members.add(far_member)
    far.save()
    services.reviewer_access_sync()
    parent = GuardianFactory(family__name="Célestine")
    dossiers = [_dossier(parent, school, name) for name in ("Léa", "Noé")]
    return {"director": director, "colleague": colleague, "outsider": outsider, "town_hall": town_hall,
            "far": far, "town_hall_member": town_hall_member, "far_member": far_member, "parent": parent,
            "dossiers": dossiers}


def _listed(client, query="") -> set[str]:
    """The references of the dossiers the list links to (not those a flash message names)."""
    html = client.get(f"/cms/dossiers/{query}").content.decode()
    pks = {int(pk) for pk in re.findall(r'href="/cms/dossiers/(\d+)/"', html)}
    return set(Dossier.objects.filter(pk__in=pks).values_list("reference", flat=True))


def test_taking_charge_puts_the_dossier_in_my_tab_and_a_colleague_may_take_it_over(client, world):
    lea, noe = world["dossiers"]
    client.force_login(world["director"])
    response = client.post(f"/cms/dossiers/{lea.pk}/prise-en-charge/", follow=True)
    assert f"Vous suivez le dossier {lea.reference}." in response.content.decode()
    assert Dossier.objects.get(pk=lea.pk).assignee == world["director"]
    assert _listed(client, "?onglet=suivis") == {lea.reference}
    assert _listed(client, "?onglet=a-traiter") == {lea.reference, noe.reference}

    client.force_login(world["colleague"])
    assert _listed(client, "?onglet=suivis") == set()
    client.post(f"/cms/dossiers/{lea.pk}/prise-en-charge/")
    assert Dossier.objects.get(pk=lea.pk).assignee == world["colleague"]
    html = client.get(f"/cms/dossiers/{lea.pk}/").content.decode()
    assert "Ne plus suivre ce dossier" in html

    # The one who no longer follows it cannot « laisser » it.
    client.force_login(world["director"])
    response = client.post(f"/cms/dossiers/{lea.pk}/prise-en-charge/", {"laisser": "1"}, follow=True)
    assert "Ce dossier n&#x27;est pas pris en charge par vous." in response.content.decode()
    assert Dossier.objects.get(pk=lea.pk).assignee == world["colleague"]

    # A director of another school: no such dossier.
    client.force_login(world["outsider"])
    assert client.post(f"/cms/dossiers/{lea.pk}/prise-en-charge/").status_code == 404
    assert Dossier.objects.get(pk=lea.pk).assignee == world["colleague"]


def test_a_decided_dossier_moves_from_to_do_to_done(client, world):
    lea, noe = world["dossiers"]
    client.force_login(world["director"])
    response = client.post(f"/cms/dossiers/{lea.pk}/decision/validate/", {"decision-comment": ""})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=lea.pk).state != DossierState.SUBMITTED
    assert _listed(client, "?onglet=a-traiter") == {noe.reference}
    assert _listed(client, "?onglet=traites") == {lea.reference}
    assert _listed(client, "?onglet=tous") == {lea.reference, noe.reference}
    # The colleague did not decide it: nothing in his « traités ».
    client.force_login(world["colleague"])
    assert _listed(client, "?onglet=traites") == set()
    # An unknown tab is the whole list.
    assert _listed(client, "?onglet=nimporte") == {lea.reference, noe.reference}


def test_filters_by_procedure_and_by_stage(client, world, settings):
    from tests.factories import site_home

    home = site_home(slug="accueil-outils")
    steps = [_step("L'enfant", "", [_q("text", "Remarque", "remarque")])]
    canteen = make_page(home, steps, slug="cantine-outils", title="Cantine")
    canteen.schools.add(world["dossiers"][0].school)
    meal = _dossier(world["parent"], world["dossiers"][0].school, "Inès", page=canteen)
    client.force_login(world["director"])
    html = client.get("/cms/dossiers/").content.decode()
    assert ">Cantine</option>" in html  # the published procedure is offered at once
    assert _listed(client, f"?procedure={canteen.pk}") == {meal.reference}
    assert _listed(client, f"?stage={canteen.pk}-0") == {meal.reference}
    assert _listed(client, f"?onglet=a-traiter&procedure={canteen.pk}") == {meal.reference}


def test_a_private_annotation_is_read_by_staff_only(client, world):
    lea, _noe = world["dossiers"]
    client.force_login(world["director"])
    response = client.post(f"/cms/dossiers/{lea.pk}/annotation/", {"note-body": "  "})
    assert response.status_code == 400
    assert "Champ requis." in response.content.decode()
    response = client.post(f"/cms/dossiers/{lea.pk}/annotation/", {"note-body": NOTE}, follow=True)
    html = response.content.decode()
    assert "Annotation enregistrée" in html
    assert "Le père a appelé : garde alternée" in html
    # In the staff audit of the child: who annotated, when.
    audit = client.get(f"/cms/dossiers/{lea.pk}/consultations/").content.decode()
    assert "Annotation privée" in audit and world["director"].email in audit
    # Another director of the school reads it too.
    client.force_login(world["colleague"])
    assert "Le père a appelé" in client.get(f"/cms/dossiers/{lea.pk}/").content.decode()

    # The family: not on its dossier page, nor in its data export.
    client.force_login(world["parent"])
    page = client.get(f"/dossiers/{lea.submission.public_id}/suivi/")
    assert page.status_code == 200
    assert "Le père a appelé" not in page.content.decode()
    assert "Annotation" not in page.content.decode()
    archive = zipfile.ZipFile(io.BytesIO(client.get("/compte/donnees/telecharger/").content))
    everything = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    assert "Le père a appelé" not in everything
    assert DossierAction.NOTE not in json.dumps(everything)


def test_an_opinion_is_asked_of_a_group_that_covers_the_school_and_answered_without_deciding(
    client, world
):
    lea, _noe = world["dossiers"]
    client.force_login(world["director"])
    html = client.get(f"/cms/dossiers/{lea.pk}/").content.decode()
    assert "Service scolaire du Bourg" in html
    assert "Service scolaire de l&#x27;Anse" not in html  # outside the dossier's scope: not offered

    # Asking a group that does not cover the school: refused next to the field, nothing asked.
    response = client.post(f"/cms/dossiers/{lea.pk}/avis/",
                           {"opinion-group": world["far"].pk, "opinion-question": QUESTION})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    response = client.post(f"/cms/dossiers/{lea.pk}/avis/",
                           {"opinion-person": world["far_member"].pk, "opinion-question": QUESTION})
    assert response.status_code == 400
    assert not DossierOpinion.objects.exists()
    # Neither a group nor a person.
    response = client.post(f"/cms/dossiers/{lea.pk}/avis/", {"opinion-question": QUESTION})
    assert "Choisissez un groupe ou une personne" in response.content.decode()

    response = client.post(f"/cms/dossiers/{lea.pk}/avis/",
                           {"opinion-group": world["town_hall"].pk, "opinion-question": QUESTION}, follow=True)
    assert "Avis demandé." in response.content.decode()
    opinion = DossierOpinion.objects.get()

    # The member of another school's group cannot answer it, nor see the dossier.
    client.force_login(world["far_member"])
    assert client.get(f"/cms/dossiers/{lea.pk}/").status_code == 404
    assert client.post(f"/cms/dossiers/{lea.pk}/avis/{opinion.pk}/", {"answer-answer": "Non"}).status_code == 404

    # The town hall's member finds it « à traiter », reads the dossier, answers; he cannot decide.
    client.force_login(world["town_hall_member"])
    assert _listed(client, "?onglet=a-traiter") == {lea.reference}
    html = client.get(f"/cms/dossiers/{lea.pk}/").content.decode()
    assert QUESTION.replace("'", "&#x27;") in html
    response = client.post(f"/cms/dossiers/{lea.pk}/decision/validate/", {"decision-comment": ""})
    assert response.status_code in {403, 404}
    assert Dossier.objects.get(pk=lea.pk).state == DossierState.SUBMITTED
    # Nor take charge of it, nor ask opinions in its name: the reason is said, nothing changes.
    response = client.post(f"/cms/dossiers/{lea.pk}/prise-en-charge/", follow=True)
    assert "Seuls les membres du groupe qui examine ce dossier peuvent le prendre en charge." in unescape(
        response.content.decode())
    assert Dossier.objects.get(pk=lea.pk).assignee is None
    response = client.post(f"/cms/dossiers/{lea.pk}/avis/",
                           {"opinion-group": world["town_hall"].pk, "opinion-question": "Et vous ?"}, follow=True)
    assert "Seul le groupe qui examine ce dossier peut demander un avis." in unescape(response.content.decode())
    assert DossierOpinion.objects.count() == 1
    response = client.post(f"/cms/dossiers/{lea.pk}/avis/{opinion.pk}/", {"answer-answer": ANSWER}, follow=True)
    assert "Avis rendu." in response.content.decode()
    opinion.refresh_from_db()
    assert opinion.answer == ANSWER and opinion.answered_by == world["town_hall_member"]
    assert lea.reference not in _listed(client, "?onglet=a-traiter")
    assert lea.reference in _listed(client, "?onglet=traites")
    # Given once: a second answer is refused.
    assert client.post(f"/cms/dossiers/{lea.pk}/avis/{opinion.pk}/", {"answer-answer": "Encore"}).status_code == 404

    # The director reads the answer on the dossier; the state is unchanged.
    client.force_login(world["director"])
    assert "rue des Flamboyants" in client.get(f"/cms/dossiers/{lea.pk}/").content.decode()

    # The family never reads the question or the answer.
    client.force_login(world["parent"])
    page = client.get(f"/dossiers/{lea.submission.public_id}/suivi/").content.decode()
    assert "secteur" not in page and "Flamboyants" not in page
    archive = zipfile.ZipFile(io.BytesIO(client.get("/compte/donnees/telecharger/").content))
    everything = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    assert "Flamboyants" not in everything and "secteur de l" not in everything
    # Those asked are told (a notification each); the family is told nothing of it.
    from notifications.models import Notification

    asked = Notification.objects.filter(event="opinion_asked")
    assert {n.recipient for n in asked} == {world["town_hall_member"].email}
    assert not Notification.objects.filter(recipient=world["parent"].email, event="opinion_asked").exists()


def test_an_opinion_asked_of_a_person_opens_the_dossier_to_that_person_only(client, world):
    lea, noe = world["dossiers"]
    client.force_login(world["director"])
    client.post(f"/cms/dossiers/{lea.pk}/avis/",
                {"opinion-person": world["town_hall_member"].pk, "opinion-question": QUESTION})
    opinion = DossierOpinion.objects.get()
    assert opinion.person == world["town_hall_member"]
    client.force_login(world["town_hall_member"])
    assert _listed(client, "?onglet=a-traiter") == {lea.reference}
    # Only the one asked may answer: a colleague director of the school may not.
    client.force_login(world["colleague"])
    assert client.post(f"/cms/dossiers/{lea.pk}/avis/{opinion.pk}/", {"answer-answer": "Oui"}).status_code == 404
