"""Nobody reaches a dossier that is not theirs: a director of another
school, another family, anonymous visitors — on every URL of the workspace
and of the family area. Nothing changes when they try."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from workflows import services
from workflows.constants import DossierState

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    from django.db import transaction

    school_x, school_y = SchoolFactory(), SchoolFactory()
    director_x, director_y = UserFactory(director=True), UserFactory(director=True)
    school_x.directors.add(director_x)
    school_y.directors.add(director_y)
    family_a, family_b = GuardianFactory(), GuardianFactory()
    with transaction.atomic():
        submission = SubmissionFactory(submitted=True, child__family=family_a.family, school=school_x,
                                       submitted_by=family_a)
        dossier = services.dossier_open(submission=submission)
    return {
        "dossier": dossier,
        "director_x": director_x,
        "director_y": director_y,
        "family_a": family_a,
        "family_b": family_b,
        "finance": UserFactory(finance=True),
        "editor": UserFactory(editor=True),
    }


def staff_urls(dossier):
    return {
        "get": [
            reverse("workflows_admin:detail", args=[dossier.pk]),
        ],
        "post": [
            (reverse("workflows_admin:decide", args=[dossier.pk, "validate"]), {"validate-comment": ""}),
            (reverse("workflows_admin:decide", args=[dossier.pk, "refuse"]), {"refuse-comment": "x"}),
            (reverse("workflows_admin:decide", args=[dossier.pk, "correct"]), {"correct-comment": "x"}),
            (reverse("workflows_admin:message", args=[dossier.pk]), {"message-body": "x"}),
            (reverse("workflows_admin:validate_many"), {"dossier": [dossier.pk]}),
        ],
    }


def family_urls(dossier):
    public_id = dossier.submission.public_id
    return {
        "get": [reverse("dossiers:family_dossier", args=[public_id])],
        "post": [
            (reverse("dossiers:family_dossier", args=[public_id]), {"body": "x"}),
            (reverse("dossiers:family_withdraw", args=[public_id]), {"confirm": "on"}),
        ],
    }


def assert_untouched(dossier):
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert list(dossier.events.values_list("action", flat=True)) == ["submitted"]


@pytest.mark.parametrize("who", ["director_y", "family_a", "family_b", "editor", "anonymous"])
def test_workspace_is_closed_to_everyone_but_the_schools_staff(world, who):
    client = Client()
    if who != "anonymous":
        client.force_login(world[who])
    dossier = world["dossier"]
    urls = staff_urls(dossier)
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code in {302, 404}, (url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/compte/connexion/")
    for url, data in urls["post"]:
        response = client.post(url, data)
        if url.endswith("/valider/") and who == "director_y":
            # The bulk action only ever touches the user's own dossiers.
            assert response.status_code == 302
            continue
        assert response.status_code in {302, 404}, (url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/compte/connexion/")
    assert_untouched(dossier)
    if who == "director_y":
        listing = client.get("/cms/dossiers/").content.decode()
        assert dossier.reference not in listing


@pytest.mark.parametrize("who", ["family_b", "director_x", "director_y", "anonymous"])
def test_family_area_is_closed_to_everyone_but_the_family(world, who):
    client = Client()
    if who != "anonymous":
        client.force_login(world[who])
    dossier = world["dossier"]
    for url in family_urls(dossier)["get"]:
        response = client.get(url)
        assert response.status_code in {302, 404}
    for url, data in family_urls(dossier)["post"]:
        response = client.post(url, data)
        assert response.status_code in {302, 404}
        if response.status_code == 302:
            assert response["Location"].startswith("/compte/connexion/")
    assert_untouched(dossier)
    if who == "family_b":
        assert dossier.reference not in client.get("/dossiers/").content.decode()


def test_the_schools_director_and_the_family_get_in(world):
    dossier = world["dossier"]
    client = Client()
    client.force_login(world["director_x"])
    assert client.get(reverse("workflows_admin:detail", args=[dossier.pk])).status_code == 200
    assert dossier.reference in client.get("/cms/dossiers/").content.decode()
    client.force_login(world["family_a"])
    assert client.get(reverse("dossiers:family_dossier", args=[dossier.submission.public_id])).status_code == 200


def test_replaying_a_decision_after_it_was_made_changes_nothing(world):
    dossier = world["dossier"]
    client = Client()
    client.force_login(world["director_x"])
    url = reverse("workflows_admin:decide", args=[dossier.pk, "refuse"])
    client.post(url, {"refuse-comment": "Hors secteur"})
    response = client.post(url, {"refuse-comment": "Hors secteur"}, follow=True)
    assert "Ce dossier a déjà été traité" in response.content.decode()
    assert dossier.events.filter(action="refused").count() == 1
