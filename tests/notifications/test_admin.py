"""The Wagtail admin, through HTTP: editors write messages (errors shown at
their line, preview on a sample dossier); administrators follow sends and
resend."""

from html import unescape

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from notifications.constants import Event, Status
from notifications.models import MessageTemplate, Notification
from notifications.services import notification_deliver, notify
from notifications.variables import sample_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    """The outbox holds families' messages: administrators only read it."""
    user = UserFactory(is_superuser=True, is_staff=True)
    client.login(username=user.email, password=PASSWORD)
    return user


@pytest.fixture
def editor(client):
    user = UserFactory(editor=True)
    client.login(username=user.email, password=PASSWORD)
    return user


def _edit_url(template):
    return reverse("wagtailsnippets_notifications_messagetemplate:edit", args=[template.pk])


def _form(template, **changes):
    return {"event": template.event, "subject": template.subject, "body": template.body, **changes}


def test_editors_see_one_message_per_event(client, editor):
    response = client.get(reverse("wagtailsnippets_notifications_messagetemplate:list"))
    assert response.status_code == 200
    assert MessageTemplate.objects.count() == len(Event)
    for label in ("Rappel avant l&#x27;échéance de paiement (famille)", "Dossier déposé (direction)"):
        assert label in response.content.decode()


def test_the_edit_form_lists_the_variables_of_the_event(client, editor):
    template = MessageTemplate.objects.get(event=Event.PAYMENT_REMINDER)
    page = client.get(_edit_url(template)).content.decode()
    assert "Variables de ce message" in page
    assert "<code>{{ due_date }}</code>" in page and "<code>{{ amount }}</code>" in page


def test_an_unknown_variable_is_refused_at_its_line(client, editor):
    template = MessageTemplate.objects.get(event=Event.PAYMENT_REMINDER)
    body = "Bonjour,\n\nPayez {{ amount|montant }}\npour {{ enfant.prenom }}."
    response = client.post(_edit_url(template), _form(template, body=body))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ligne 4 : variable inconnue « enfant »" in page
    template.refresh_from_db()
    assert "enfant" not in template.body


def test_a_syntax_error_in_the_subject_is_refused_at_its_line(client, editor):
    template = MessageTemplate.objects.get(event=Event.DOSSIER_VALIDATED)
    response = client.post(_edit_url(template), _form(template, subject="Dossier {{ child.first_name"))
    assert "Ligne 1 : erreur de syntaxe" in response.content.decode()


@pytest.mark.parametrize("body, french", [
    ("Bonjour,\n{{ child first_name }}",
     "Ligne 2 : erreur de syntaxe : « first_name » est de trop : la variable devait se fermer par « }} »."),
    ("Bonjour,\n\n{% if amount %}\nÀ payer.",
     "erreur de syntaxe : le bloc « {% if … %} » n'est jamais fermé : ajoutez « {% endif %} »"),
    ("Bonjour,\n{{ amount }",
     "Ligne 2 : erreur de syntaxe : « } » seul : une variable se ferme par deux accolades, « }} »."),
    ("{% for x in answers %}{% endif %}",
     "Ligne 1 : erreur de syntaxe : « {% endif %} » arrive alors que le bloc « {% for … %} » n'est pas encore fermé "
     "par « {% endfor %} »."),
])
def test_jinja_syntax_errors_are_explained_to_editors_in_french_at_their_line(client, editor, body, french):
    template = MessageTemplate.objects.get(event=Event.PAYMENT_REMINDER)
    response = client.post(_edit_url(template), _form(template, body=body))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert french in page
    for english in ("expected token", "unexpected", "Unexpected end of template", "Jinja was looking"):
        assert english not in page


def test_an_unknown_jinja_message_gets_a_general_french_hint():
    from notifications.rendering import syntax_error_in_french

    assert syntax_error_in_french("something Jinja2 says one day").startswith(
        "le modèle est mal écrit à cette ligne : vérifiez les paires {{ }} et {% %}, et que chaque bloc ouvert")


# Deeply nested expressions stopped Jinja2's parser with a RecursionError: a 500 on save.
DEEP = {
    "nested brackets": "{{ " + "(" * 300 + "1" + ")" * 300 + " }}",
    "nested lists": "{{ " + "[" * 300 + "1" + "]" * 300 + " }}",
    "nested blocks": "{% if 1 %}" * 300 + "x" + "{% endif %}" * 300,
    "a chain of additions": "{{ " + "+".join(["1"] * 3000) + " }}",
    "a chain of negations": "{{ " + "not " * 1000 + "1 }}",
    "a chain of filters": "{{ amount" + "|abs" * 3000 + " }}",
}


@pytest.mark.parametrize("shape", list(DEEP))
def test_a_deeply_nested_template_is_refused_on_its_field(client, editor, shape):
    template = MessageTemplate.objects.get(event=Event.PAYMENT_REMINDER)
    before = template.body
    response = client.post(_edit_url(template), _form(template, body="Bonjour,\n" + DEEP[shape]))
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert ("Ligne 2 : le modèle est trop imbriqué" in page
            or "Ligne 2 : cette expression est trop longue" in page), page[:500]
    template.refresh_from_db()
    assert template.body == before


def test_a_template_too_long_is_refused(client, editor):
    template = MessageTemplate.objects.get(event=Event.PAYMENT_REMINDER)
    response = client.post(_edit_url(template), _form(template, body="{{ amount }} " * 3000))
    assert response.status_code == 200
    assert "20000" in response.content.decode().replace("\u202f", "").replace("&nbsp;", "").replace(" ", "")


def test_the_preview_of_a_deeply_nested_template_shows_the_refusal(client, editor):
    template = MessageTemplate.objects.get(event=Event.PAYMENT_REMINDER)
    url = reverse("wagtailsnippets_notifications_messagetemplate:preview_on_edit", args=[template.pk])
    posted = client.post(url, _form(template, body="Bonjour,\n{{ " + "(" * 500 + "1" + ")" * 500 + " }}"))
    assert posted.json()["form_is_valid"] is False
    page = client.get(url).content.decode()
    assert "Le message ne peut pas être affiché" in page
    assert "Ligne 2 : le modèle est trop imbriqué" in unescape(page)


def test_a_valid_message_is_saved_and_then_sent(client, editor, django_capture_on_commit_callbacks):
    template = MessageTemplate.objects.get(event=Event.PAYMENT_REMINDER)
    body = "{{ child.first_name }} : {{ amount|montant }} avant le {{ due_date|date_fr }}."
    response = client.post(_edit_url(template), _form(template, subject="À payer", body=body))
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        notify(event=Event.PAYMENT_REMINDER, recipient="p@example.org", key="k", context=sample_context(Event.PAYMENT_REMINDER))
    (message,) = mail.outbox
    assert message.subject == "À payer"
    assert message.body == "Maëlys : 45,50\u00a0€ avant le 20 décembre 2026."


def test_the_preview_renders_the_message_on_a_sample_dossier(client, editor):
    template = MessageTemplate.objects.get(event=Event.PAYMENT_OVERDUE)
    url = reverse("wagtailsnippets_notifications_messagetemplate:preview_on_edit", args=[template.pk])
    body = "Bonjour {{ family.name }}, {{ amount|montant }} dus depuis le {{ due_date|date_fr }}."
    posted = client.post(url, _form(template, body=body))
    assert posted.json()["is_valid"] is True
    page = client.get(url).content.decode()
    assert "Bonjour Famille Joseph-Angélique, 45,50\u00a0€ dus depuis le 20 décembre 2026." in page
    assert "Variables disponibles" in page
    # The unsaved text is only previewed.
    template.refresh_from_db()
    assert "dus depuis" not in template.body


def test_the_preview_of_a_broken_message_shows_its_error_not_the_last_valid_text(client, editor):
    template = MessageTemplate.objects.get(event=Event.PAYMENT_OVERDUE)
    url = reverse("wagtailsnippets_notifications_messagetemplate:preview_on_edit", args=[template.pk])
    assert client.post(url, _form(template, body="Texte valide {{ amount|montant }}.")).json()["is_valid"]
    assert "Texte valide 45,50" in client.get(url).content.decode()
    # Broken: the panel still reloads (is_valid), and the preview names the error at its line.
    posted = client.post(url, _form(template, body="Bonjour,\n{{ amount }"))
    assert posted.json() == {"is_valid": True, "is_available": True, "form_is_valid": False}
    page = unescape(client.get(url).content.decode())
    assert "Le message ne peut pas être affiché" in page
    assert "Ligne 2 : erreur de syntaxe : « } » seul : une variable se ferme par deux accolades, « }} »." in page
    assert "Texte valide" not in page
    # A forbidden attribute, refused by the form, is shown the same way.
    client.post(url, _form(template, body="{{ ''.__class__ }}"))
    page = unescape(client.get(url).content.decode())
    assert "l'attribut « __class__ » est interdit" in page
    template.refresh_from_db()
    assert "__class__" not in template.body


def test_the_preview_shows_the_mail_in_paragraphs_and_samples_as_an_editor_reads_them(client, editor):
    template = MessageTemplate.objects.get(event=Event.PAYMENT_REMINDER)
    url = reverse("wagtailsnippets_notifications_messagetemplate:preview_on_edit", args=[template.pk])
    body = "Bonjour {{ family.name }},\n\n{{ child.first_name }} doit {{ amount|montant }}.\nVoir {{ link }}"
    client.post(url, _form(template, body=body))
    response = client.get(url)
    page = unescape(response.content.decode())
    assert "<p>Bonjour Famille Joseph-Angélique,</p>" in page
    assert "<p>Maëlys doit 45,50\u00a0€.<br>Voir <a href=\"https://inscrire.example/mes-dossiers/2026-0142/\"" in page
    assert "notifications/message_preview.css" in page  # styled by a stylesheet the policy allows
    # Samples: dates, amounts and fields written as an editor reads them, never Python's reprs.
    assert "14/03/2023" in page and "20/12/2026" in page
    assert "<code>child.first_name</code></dt><dd>Maëlys</dd>" in page
    for repr_ in ("datetime.date", "Decimal(", "{'"):
        assert repr_ not in page
    # The stylesheet is served.
    from django.contrib.staticfiles import finders
    assert finders.find("notifications/message_preview.css")


# --- What was sent ------------------------------------------------------------------------------


def _failed(recipient="p@example.org"):
    notification = notify(
        event=Event.PAYMENT_OVERDUE, recipient=recipient, key=recipient, context=sample_context(Event.PAYMENT_OVERDUE)
    )
    with override_settings(EMAIL_BACKEND="tests.notifications.test_services.RejectingBackend"):
        notification_deliver(notification_id=notification.pk)  # rendered, then refused for good
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.FAILED, attempts=8, last_error="SMTPRecipientsRefused: 550 User unknown"
    )
    return notification


def test_staff_see_failures_with_their_error(client, administrator):
    _failed()
    page = client.get(reverse("notification:index") + "?status=failed").content.decode()
    assert "p@example.org" in page and "550 User unknown" in page and "Échec" in page
    assert "Renvoyer" in page


def test_staff_resend_a_failure(client, administrator, django_capture_on_commit_callbacks):
    notification = _failed()
    url = reverse("notification:resend", args=[notification.pk])
    assert "Oui, renvoyer" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.status == Status.SENT and len(mail.outbox) == 1


def test_the_inspect_page_hides_one_time_secrets(client, administrator):
    notification = notify(
        event=Event.ACCOUNT_INVITATION,
        recipient="new@example.org",
        key="inv",
        context={**sample_context(Event.ACCOUNT_INVITATION), "provisional_password": "S3cret-pass"},
    )
    page = client.get(reverse("notification:inspect", args=[notification.pk])).content.decode()
    assert "new@example.org" in page and "S3cret-pass" not in page
    other = _failed()
    page = client.get(reverse("notification:inspect", args=[other.pk])).content.decode()
    assert "45,50" in page and "Renvoyer" in page


def test_outbox_rows_cannot_be_edited_by_hand(client, administrator):
    page = client.get(reverse("notification:index")).content.decode()
    assert "/cms/notification/new/" not in page
    with pytest.raises(NoReverseMatch):
        reverse("notification:edit", args=[1])


@pytest.mark.parametrize("role", ["director", "editor", "finance"])
def test_people_without_the_permission_are_kept_out(client, role):
    # Editors write the messages but do not read what families were sent.
    user = UserFactory(**{role: True})
    client.login(username=user.email, password=PASSWORD)
    notification = _failed()
    assert client.get(reverse("notification:index")).status_code in (302, 403)
    assert client.get(reverse("notification:inspect", args=[notification.pk])).status_code in (302, 403)
    assert client.post(reverse("notification:resend", args=[notification.pk])).status_code in (302, 403)
    notification.refresh_from_db()
    assert notification.status == Status.FAILED
