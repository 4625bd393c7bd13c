"""Messages on a dossier reach the other side: the school's message is
e-mailed to the family, the family's to the reviewers who examine the
dossier (its director here), through the real SMTP server; each side's list
shows « nouveau message » until that side opens the dossier. The text is the
editors' (« Messages »), with its preview."""

import pytest

from notifications.constants import Event
from notifications.models import MessageTemplate
from django.urls import reverse

from tests.describedby import assert_errors_tied
from tests.factories import PASSWORD, UserFactory
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 — fixtures
from workflows.models import Dossier

from .conftest import submit_through_the_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(client, procedure, director, child, parent, smtp, django_capture_on_commit_callbacks):
    page = procedure(validation_required=True)
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_through_the_form(client, page, child)
    smtp.envelopes.clear()  # the « déposé » e-mails
    return Dossier.objects.get(submission=submission)


def _bodies(smtp, to):
    return [(m["Subject"], m.get_body(preferencelist=("plain",)).get_content()) for m in smtp.messages()
            if m["To"] == to]


def _family_url(dossier):
    return f"/dossiers/{dossier.submission.public_id}/suivi/"


def test_the_schools_message_emails_the_family_and_is_new_until_the_family_opens_it(
    client, filed, director, parent, smtp, django_capture_on_commit_callbacks
):
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cms/dossiers/{filed.pk}/message/", {"message-body": "Merci d'apporter le carnet."})
    assert response.status_code == 302
    ((subject, body),) = _bodies(smtp, parent.email)
    assert "École du Bourg" in subject and "Léa" in subject
    assert "« Merci d'apporter le carnet. »" in body and _family_url(filed) in body
    assert not _bodies(smtp, director.email)  # the writer is not told of his own message

    client.force_login(parent)
    listing = client.get("/dossiers/").content.decode()
    assert "nouveau message" in listing
    page = client.get(_family_url(filed)).content.decode()
    assert "Merci d&#39;apporter le carnet." in page
    assert "nouveau message" not in client.get("/dossiers/").content.decode()
    # The school's own list never showed it as new: the message was the school's.
    client.force_login(director)
    assert "nouveau message" not in client.get("/cms/dossiers/").content.decode()


def test_the_familys_message_emails_the_reviewers_and_is_new_until_a_reviewer_opens_the_dossier(
    client, filed, director, parent, smtp, django_capture_on_commit_callbacks
):
    other_director = UserFactory(director=True, email="autre.direction@example.org")  # another school
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_family_url(filed), {"body": "Ce sera fait lundi."})
    assert response.status_code == 302
    ((subject, body),) = _bodies(smtp, director.email)
    assert "Joseph" in subject and filed.reference in subject
    assert "« Ce sera fait lundi. »" in body and f"/cms/dossiers/{filed.pk}/" in body
    assert not _bodies(smtp, parent.email) and not _bodies(smtp, other_director.email)
    assert "nouveau message" not in client.get("/dossiers/").content.decode()

    client.force_login(director)
    assert "nouveau message" in client.get("/cms/dossiers/").content.decode()
    assert "Ce sera fait lundi." in client.get(f"/cms/dossiers/{filed.pk}/").content.decode()
    assert "nouveau message" not in client.get("/cms/dossiers/").content.decode()


def test_a_family_message_goes_to_the_reviewer_in_charge_only(
    client, filed, director, parent, smtp, django_capture_on_commit_callbacks
):
    colleague = UserFactory(director=True, email="adjointe@example.org")
    filed.school.directors.add(colleague)
    client.force_login(colleague)
    assert client.post(f"/cms/dossiers/{filed.pk}/prise-en-charge/").status_code == 302
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_family_url(filed), {"body": "Une question sur la cantine."})
    assert [to for to in (m["To"] for m in smtp.messages())] == [colleague.email]


def test_the_editors_wording_is_used_and_an_empty_message_is_refused(
    client, filed, director, parent, smtp, django_capture_on_commit_callbacks
):
    MessageTemplate.objects.filter(event=Event.SCHOOL_MESSAGE).update(
        subject="L'école vous écrit ({{ dossier.reference }})", body="Message : {{ message }}\n{{ link }}",
    )
    client.force_login(director)
    response = client.post(f"/cms/dossiers/{filed.pk}/message/", {"message-body": "   "})
    assert response.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cms/dossiers/{filed.pk}/message/", {"message-body": "Rendez-vous jeudi."})
    ((subject, body),) = _bodies(smtp, parent.email)
    assert subject == f"L'école vous écrit ({filed.reference})"
    assert body.startswith("Message : Rendez-vous jeudi.")


@pytest.mark.parametrize("event, shown", [
    (Event.SCHOOL_MESSAGE, "Pouvez-vous nous apporter le carnet de vaccination lundi ?"),
    (Event.FAMILY_MESSAGE, "Bonjour, le justificatif de domicile est-il encore nécessaire ?"),
])
def test_editors_write_and_preview_the_two_message_events(client, event, shown):
    editor = UserFactory(editor=True)
    client.login(username=editor.email, password=PASSWORD)
    template = MessageTemplate.objects.get(event=event)
    url = reverse("wagtailsnippets_notifications_messagetemplate:preview_on_edit", args=[template.pk])
    form = {"event": template.event, "subject": template.subject, "body": "Pour {{ child.first_name }} : {{ message }}"}
    assert client.post(url, form).json()["is_valid"] is True
    page = client.get(url).content.decode()
    assert f"Pour Maëlys : {shown}".replace("'", "&#x27;") in page or f"Pour Maëlys : {shown}" in page


# --- Errors named by their fields (aria-describedby) ---------------------------------------------


def test_the_familys_message_and_withdrawal_errors_are_named_by_their_fields(client, filed, parent):
    response = client.post(_family_url(filed), {"body": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="id_body_error"' in html and 'id="id_body_error"' in html
    assert_errors_tied(html)
    response = client.post(f"/dossiers/{filed.submission.public_id}/retirer/", {"reason": "x" * 1001})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_confirm_error"' in html and 'id="id_reason_error"' in html
    assert_errors_tied(html, at_least=2)


def test_the_staff_message_and_refusal_errors_are_named_by_their_fields(client, filed, director):
    client.force_login(director)
    response = client.post(f"/cms/dossiers/{filed.pk}/message/", {"message-body": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="id_message-body_error"' in html and 'id="id_message-body_error"' in html
    assert_errors_tied(html)
    response = client.post(f"/cms/dossiers/{filed.pk}/decision/refuse/", {"refuse-comment": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez le motif du refus" in html
    assert 'aria-describedby="id_refuse-comment_error"' in html and 'id="id_refuse-comment_error"' in html
    assert_errors_tied(html)
