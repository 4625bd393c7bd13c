"""A correction tells both sides what it is about: the family reads the
school's request above the form it corrects, and the reviewer sees which
answers changed since the request. A family that leaves is told to the
directors, who are no longer offered to write to it."""

import pytest

from tests.forms.conftest import _q, _step, make_page, review_url, start, step_url
from tests.workflows.conftest import submit_through_the_form
from workflows.constants import DossierState
from workflows.models import Dossier

pytestmark = pytest.mark.django_db

STEPS = [_step("L'enfant", "", [_q("text", "Remarque", "remarque"), _q("text", "Allergies", "allergies")])]
REQUEST = "Précisez la remarque, s'il vous plaît."


def test_the_family_corrects_under_the_request_and_the_reviewer_sees_what_changed(
    client, home, school, child, parent, director
):
    page = make_page(home, STEPS, slug="demarche-corrections")
    page.schools.add(school)
    client.force_login(parent)
    submission = start(client, page, child)
    assert client.post(step_url(submission, 0), {"remarque": "RAS", "allergies": "Aucune"}).status_code == 302
    assert client.post(review_url(submission)).status_code == 302
    dossier = Dossier.objects.get(submission=submission)
    # No request yet: the reviewer's page marks nothing.
    client.force_login(director)
    assert "modifiée" not in client.get(f"/cms/dossiers/{dossier.pk}/").content.decode()
    # Reads of one person in a row are one line of the history, with their count.
    client.get(f"/cms/dossiers/{dossier.pk}/")
    html = client.get(f"/cms/dossiers/{dossier.pk}/").content.decode()
    assert "Dossier consulté (3 fois)" in html and html.count("Dossier consulté") == 1
    # The filters say « Tous » / « Toutes », not « --------- ».
    listing = client.get("/cms/dossiers/").content.decode()
    assert "---------" not in listing and ">Toutes</option>" in listing

    response = client.post(f"/cms/dossiers/{dossier.pk}/decision/correct/", {"correct-comment": REQUEST})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CORRECTION

    # The family reads the request on the dossier's page, on the step it corrects and on the review.
    client.force_login(parent)
    escaped = REQUEST.replace("'", "&#39;")
    for url in (f"/dossiers/{submission.public_id}/", step_url(submission, 0), review_url(submission)):
        html = client.get(url).content.decode()
        assert "Ce que l'école vous demande de corriger ou de compléter" in html, url
        assert escaped in html, url
    # Above the form, not under it.
    html = client.get(step_url(submission, 0)).content.decode()
    assert html.index(escaped) < html.index('name="remarque"')

    assert client.post(step_url(submission, 0), {"remarque": "Allergie aux arachides",
                                                 "allergies": "Aucune"}).status_code == 302
    assert client.post(review_url(submission)).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    # Resubmitted: the request is no longer shown to the family.
    assert escaped not in client.get(f"/dossiers/{submission.public_id}/").content.decode()

    # The reviewer sees the one answer that changed, marked.
    client.force_login(director)
    html = client.get(f"/cms/dossiers/{dossier.pk}/").content.decode()
    assert "ont changé depuis la dernière demande de compléments" in html
    assert html.count(">modifiée</span>") == 1
    assert 'Remarque <span class="w-status w-status--primary">modifiée</span>' in html
    assert "Allergie aux arachides" in html


def test_a_family_leaving_is_told_to_the_directors_who_can_no_longer_write_to_it(
    client, procedure, child, parent, director, django_capture_on_commit_callbacks
):
    from notifications.models import Notification
    from tests.factories import PASSWORD
    from workflows.constants import DossierAction

    page = procedure()
    client.force_login(parent)
    submission = submit_through_the_form(client, page, child)
    dossier = Dossier.objects.get(submission=submission)
    client.force_login(director)
    assert "Écrire à la famille" in client.get(f"/cms/dossiers/{dossier.pk}/").content.decode()

    # The family withdraws its dossier (here, by deleting its account): the director is told.
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compte/donnees/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWN
    told = Notification.objects.get(event="dossier_withdrawn_directors")
    assert told.recipient == director.email and "Dossier retiré par la famille" in told.subject
    assert "Compte supprimé à la demande de la famille." in told.body_text

    # Nobody is left to read a message: the page offers none, and a posted one is refused.
    client.force_login(director)
    html = client.get(f"/cms/dossiers/{dossier.pk}/").content.decode()
    assert "Cette famille a supprimé son compte" in html and 'name="message-body"' not in html
    response = client.post(f"/cms/dossiers/{dossier.pk}/message/", {"message-body": "Bonjour ?"}, follow=True)
    assert "Cette famille a supprimé son compte" in response.content.decode()
    assert "Message envoyé à la famille." not in response.content.decode()
    assert not dossier.events.filter(action=DossierAction.MESSAGE).exists()
