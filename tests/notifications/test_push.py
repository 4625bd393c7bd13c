"""Push notifications, the outbox's second channel, against a push service
on localhost that decrypts what each device receives
(``tests/notifications/pushservice.py``).

A director validates a dossier over HTTP; the family's subscribed device
gets the editors' short text, encrypted for it and signed with the
portal's VAPID key; the e-mail goes as always. A 410 from the push service
removes the device; a 5xx is retried with the outbox's backoff.
"""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from notifications import push, selectors, services
from notifications.constants import Channel, Event, Status
from notifications.models import MessageTemplate, Notification, PushSubscription
from notifications.variables import sample_context
from tests.factories import GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from workflows import services as workflow_services

pytestmark = pytest.mark.django_db

ANDROID = "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"


def subscribe(user, device, user_agent=ANDROID) -> PushSubscription:
    return services.push_subscribe(
        user=user, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth, user_agent=user_agent
    )


@pytest.fixture
def school():
    return SchoolFactory(name="École maternelle du Bourg")


@pytest.fixture
def director(school):
    user = UserFactory(director=True)
    school.directors.add(user)
    return user


@pytest.fixture
def parent():
    return GuardianFactory(email="nadege@example.org")


@pytest.fixture
def dossier(parent, school, django_capture_on_commit_callbacks):
    submission = SubmissionFactory(
        submitted=True, child__family=parent.family, child__first_name="Maëlys", school=school, submitted_by=parent
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        return workflow_services.dossier_open(submission=submission)


def validate_over_http(client, director, dossier, django_capture_on_commit_callbacks):
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cms/dossiers/{dossier.pk}/decision/validate/", {"validate-comment": ""})
    assert response.status_code == 302
    dossier.refresh_from_db()
    return dossier


def test_a_validation_reaches_the_subscribed_device_with_the_editors_text(
    client, push_service, parent, director, dossier, django_capture_on_commit_callbacks
):
    template = MessageTemplate.objects.get(event=Event.DOSSIER_VALIDATED)
    template.push_text = "Bonne nouvelle : le dossier {{ dossier.reference }} de {{ child.first_name }} est validé."
    template.full_clean()
    template.save()
    phone = push_service.device("telephone")
    subscribe(parent, phone)
    mail.outbox.clear()

    dossier = validate_over_http(client, director, dossier, django_capture_on_commit_callbacks)

    # No payment is asked: validated, then confirmed at once — two pushes, as two e-mails.
    message, confirmed = phone.received
    assert message.payload["title"] == "Inscrire"
    assert message.payload["body"] == f"Bonne nouvelle : le dossier {dossier.reference} de Maëlys est validé."
    assert confirmed.payload["body"] == "L'inscription de Maëlys est confirmée."
    # Touching it opens the family's follow-up page, on the portal.
    assert message.payload["url"].startswith("http://127.0.0.1:8000/") and str(dossier.submission.public_id) in message.payload["url"]
    assert message.claims["sub"] == "mailto:technique@inscrire.example"
    assert int(message.headers["ttl"]) == services.DEFAULTS["PUSH_TTL"]
    assert push_service.refused == []

    # The e-mail is sent as always, and stays the message of record.
    assert [m.to for m in mail.outbox if "validé" in m.subject] == [[parent.email]]
    email_row = Notification.objects.get(event=Event.DOSSIER_VALIDATED, channel=Channel.EMAIL)
    push_row = Notification.objects.get(event=Event.DOSSIER_VALIDATED, channel=Channel.PUSH)
    assert email_row.status == push_row.status == Status.SENT
    assert push_row.push_subscription.endpoint == phone.endpoint and push_row.attempts == 1
    assert message.payload["tag"] == f"notification-{push_row.pk}"
    assert push_row.push_subscription.last_success_at is not None
    assert list(selectors.notifications_for(about=dossier).filter(event=Event.DOSSIER_VALIDATED)) == [email_row]
    assert push_row not in selectors.notifications_for_user(user=parent)


def test_each_device_gets_its_own_row_and_other_people_get_nothing(push_service, parent, django_capture_on_commit_callbacks):
    phone, tablet, stranger_phone = push_service.device(), push_service.device(), push_service.device()
    subscribe(parent, phone)
    subscribe(parent, tablet, user_agent=IPHONE)
    subscribe(GuardianFactory(), stranger_phone)

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(event=Event.PAYMENT_REMINDER, recipient=parent.email, key="rappel",
                        context=sample_context(Event.PAYMENT_REMINDER), user=parent)

    assert [m.payload["body"] for m in phone.received] == [
        "Rappel : un paiement est attendu avant le 20 décembre 2026 pour le dossier de Maëlys."
    ]
    assert len(tablet.received) == 1 and stranger_phone.received == []
    assert Notification.objects.filter(channel=Channel.PUSH, status=Status.SENT).count() == 2
    # Notifying the same event again sends nothing more, on any channel.
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(event=Event.PAYMENT_REMINDER, recipient=parent.email, key="rappel",
                        context=sample_context(Event.PAYMENT_REMINDER), user=parent)
    assert push_service.count() == 2 and Notification.objects.count() == 3


def test_a_410_removes_the_subscription(push_service, parent, django_capture_on_commit_callbacks):
    phone = push_service.device()
    subscribe(parent, phone)
    phone.status = 410  # the browser dropped it (app uninstalled, permission withdrawn)

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(event=Event.DOSSIER_VALIDATED, recipient=parent.email, key="v1",
                        context=sample_context(Event.DOSSIER_VALIDATED), user=parent)

    assert not PushSubscription.objects.exists()
    row = Notification.objects.get(channel=Channel.PUSH)
    assert row.status == Status.FAILED and "410" in row.last_error and row.push_subscription is None
    assert Notification.objects.get(channel=Channel.EMAIL).status == Status.SENT
    # The next event has no device to go to.
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(event=Event.DOSSIER_CONFIRMED, recipient=parent.email, key="c1",
                        context=sample_context(Event.DOSSIER_CONFIRMED), user=parent)
    assert Notification.objects.filter(channel=Channel.PUSH).count() == 1


def test_a_push_service_error_is_retried_with_the_outbox_backoff(
    push_service, parent, django_capture_on_commit_callbacks
):
    phone = push_service.device()
    subscribe(parent, phone)
    phone.failures = 1  # one 503, then it works

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(event=Event.DOSSIER_VALIDATED, recipient=parent.email, key="v1",
                        context=sample_context(Event.DOSSIER_VALIDATED), user=parent)
    row = Notification.objects.get(channel=Channel.PUSH)
    assert row.status == Status.PENDING and row.attempts == 1 and "503" in row.last_error
    assert row.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)  # 1 min, then 2, 4…
    assert phone.received == []

    # What the retry task does once its delay is over (here: at once).
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert services.notification_deliver(notification_id=row.pk) is True
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2 and len(phone.received) == 1
    # A second task for the same row (the sweep's, a duplicate) sends nothing.
    assert services.notification_deliver(notification_id=row.pk) is False
    assert len(phone.received) == 1


def test_an_unreachable_push_service_is_retried_and_swept(push_on, parent, django_capture_on_commit_callbacks):
    from .pushservice import PushService

    service = PushService(push_on[0])
    phone = service.device()
    subscribe(parent, phone)
    with django_capture_on_commit_callbacks(execute=True):  # the service is not started: connection refused
        services.notify(event=Event.DOSSIER_VALIDATED, recipient=parent.email, key="v1",
                        context=sample_context(Event.DOSSIER_VALIDATED), user=parent)
    row = Notification.objects.get(channel=Channel.PUSH)
    assert row.status == Status.PENDING and "ConnectionError" in row.last_error

    with service:
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - dt.timedelta(minutes=5))
        assert services.notifications_sweep() == [row.pk]  # immediate Huey: the sweep's task sends it
    row.refresh_from_db()
    assert row.status == Status.SENT and len(phone.received) == 1


def test_no_push_without_keys_nor_for_one_time_links_nor_when_editors_leave_it_empty(
    settings, push_service, parent, django_capture_on_commit_callbacks
):
    subscribe(parent, push_service.device())

    def notify(event, key):
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(event=event, recipient=parent.email, key=key, context=sample_context(event), user=parent)

    notify(Event.PASSWORD_RESET, "reset")  # a one-time link never goes to a lock screen
    MessageTemplate.objects.filter(event=Event.DOSSIER_WITHDRAWN).update(push_text="  ")
    notify(Event.DOSSIER_WITHDRAWN, "withdrawn")
    settings.WEBPUSH_VAPID_PUBLIC_KEY = settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    notify(Event.DOSSIER_VALIDATED, "validated")

    assert not Notification.objects.filter(channel=Channel.PUSH).exists()
    assert Notification.objects.filter(channel=Channel.EMAIL).count() == 3
    assert push_service.count() == 0


def test_a_broken_push_text_falls_back_to_the_default(push_service, parent, django_capture_on_commit_callbacks):
    phone = push_service.device()
    subscribe(parent, phone)
    # Saved around the admin's checks (an older template, say): fails at send time.
    MessageTemplate.objects.filter(event=Event.DOSSIER_VALIDATED).update(push_text="{{ child.first_name.upper() }}")

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(event=Event.DOSSIER_VALIDATED, recipient=parent.email, key="v1",
                        context=sample_context(Event.DOSSIER_VALIDATED), user=parent)

    assert phone.received[0].payload["body"] == "Bonne nouvelle : le dossier de Maëlys est validé par l'école."
    assert Notification.objects.get(channel=Channel.PUSH).template_error


def test_a_long_push_text_is_cut_and_the_link_stays_on_the_portal(push_service, parent, django_capture_on_commit_callbacks):
    phone = push_service.device()
    subscribe(parent, phone)
    MessageTemplate.objects.filter(event=Event.DOSSIER_VALIDATED).update(push_text="{{ 'Très long. ' * 100 }}")
    context = {**sample_context(Event.DOSSIER_VALIDATED), "link": "https://ailleurs.example/piege/"}

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(event=Event.DOSSIER_VALIDATED, recipient=parent.email, key="v1", context=context, user=parent)

    payload = phone.received[0].payload
    assert len(payload["body"]) == 240 and payload["body"].endswith("…")
    assert payload["url"] == "http://127.0.0.1:8000/"


def test_the_editors_push_text_is_checked_and_previewed_like_the_subject(push_on):
    template = MessageTemplate.objects.get(event=Event.DOSSIER_VALIDATED)
    template.push_text = "Dossier de {{ enfant.prenom }} validé"
    with pytest.raises(ValidationError) as raised:
        template.full_clean()
    assert "variable inconnue « enfant »" in " ".join(raised.value.message_dict["push_text"])

    template.push_text = "{{ child.first_name.__class__ }}"
    with pytest.raises(ValidationError) as raised:
        template.full_clean()
    assert "push_text" in raised.value.message_dict

    template.push_text = "{% for i in range(10**6) %}x{% endfor %}"
    with pytest.raises(ValidationError) as raised:
        template.full_clean()
    assert "push_text" in raised.value.message_dict

    reset = MessageTemplate.objects.get(event=Event.PASSWORD_RESET)
    reset.push_text = "Votre lien : {{ link }}"
    with pytest.raises(ValidationError) as raised:
        reset.full_clean()
    assert "jamais envoyé en notification" in " ".join(raised.value.message_dict["push_text"])

    template.push_text = "Le dossier de {{ child.first_name }} est validé."
    template.full_clean()
    context = template.get_preview_context(None, "")
    assert context["push_text"] == "Le dossier de Maëlys est validé." and context["push_title"] == "Inscrire"


def test_every_default_push_text_renders_on_its_sample(push_on):
    from notifications.defaults import DEFAULT_PUSH_TEXTS
    from notifications.rendering import render_push, template_problems

    for event in Event:
        source = DEFAULT_PUSH_TEXTS[event]
        assert template_problems(source, sample_context(event)) == [], event
        if source:
            text = render_push(source, sample_context(event))
            assert "Joseph-Angélique" not in text, f"{event}: no surname on a lock screen"
    # The migration and the seeding gave every template its default.
    assert MessageTemplate.objects.get(event=Event.DOSSIER_CONFIRMED).push_text == DEFAULT_PUSH_TEXTS[Event.DOSSIER_CONFIRMED]


# --- Devices ---------------------------------------------------------------------------------


def test_subscribing_checks_the_endpoint_and_the_keys(push_service, parent, settings):
    phone = push_service.device()
    device = subscribe(parent, phone, user_agent=IPHONE)
    assert device.label == "Safari sur iPhone"

    for endpoint in ("https://evil.example/push/1", "http://10.0.0.8/push/1", "file:///etc/passwd",
                     "https://user:pw@127.0.0.1/push", "http://127.0.0.1.evil.example/push/1"):
        with pytest.raises(services.PushSubscriptionError):
            services.push_subscribe(user=parent, endpoint=endpoint, p256dh=phone.p256dh, auth=phone.auth)
    with pytest.raises(services.PushSubscriptionError):
        services.push_subscribe(user=parent, endpoint=phone.endpoint + "x", p256dh="abc", auth=phone.auth)

    settings.WEBPUSH_ENDPOINT_HOSTS = ["fcm.googleapis.com", "push.apple.com"]
    assert push.endpoint_allowed("https://fcm.googleapis.com/fcm/send/abc")
    assert push.endpoint_allowed("https://web.push.apple.com/QGuQ")
    assert not push.endpoint_allowed("http://fcm.googleapis.com/fcm/send/abc")  # HTTPS only, but for loopback
    assert not push.endpoint_allowed("https://fcm.googleapis.com.evil.example/x")


def test_a_device_moves_to_whoever_subscribes_it_last_and_each_removes_only_their_own(push_service, parent):
    phone = push_service.device()
    subscribe(parent, phone)
    other = GuardianFactory()
    subscribe(other, phone)  # a shared phone: the second account turned notifications on
    assert list(selectors.push_devices_for(user=parent)) == []
    (device,) = selectors.push_devices_for(user=other)

    assert services.push_unsubscribe(user=parent, subscription_id=device.pk) == 0
    assert services.push_unsubscribe(user=other, endpoint=phone.endpoint) == 1
    assert not PushSubscription.objects.exists()


def test_push_is_off_and_refused_without_keys(settings, parent):
    settings.WEBPUSH_VAPID_PUBLIC_KEY = settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    assert selectors.push_available() is False and selectors.push_public_key() == ""
    with pytest.raises(services.PushSubscriptionError):
        services.push_subscribe(user=parent, endpoint="https://fcm.googleapis.com/fcm/send/x", p256dh="", auth="")


def test_the_key_command_makes_a_pair_the_settings_and_the_check_accept(capsys, settings, tmp_path):
    from notifications.checks import webpush_keys_check
    from tests.cms.test_settings import manage

    call_command("webpush_keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    public, private = lines["WEBPUSH_VAPID_PUBLIC_KEY"], lines["WEBPUSH_VAPID_PRIVATE_KEY"]
    assert push.public_key_of(private) == public

    settings.WEBPUSH_VAPID_PUBLIC_KEY, settings.WEBPUSH_VAPID_PRIVATE_KEY = public, private
    assert webpush_keys_check(None) == []
    settings.WEBPUSH_VAPID_PUBLIC_KEY = push.generate_keys()[0]
    assert [error.id for error in webpush_keys_check(None)] == ["notifications.E002"]

    # One key without the other, or a malformed one, stops start-up with one line naming it.
    result = manage("check", DATA_DIR=str(tmp_path), WEBPUSH_VAPID_PUBLIC_KEY=public)
    assert result.returncode != 0 and "WEBPUSH_VAPID_PRIVATE_KEY must be set too" in result.stderr
    result = manage("check", DATA_DIR=str(tmp_path), WEBPUSH_VAPID_PUBLIC_KEY=public, WEBPUSH_VAPID_PRIVATE_KEY="abc")
    assert result.returncode != 0 and "WEBPUSH_VAPID_PRIVATE_KEY is malformed" in result.stderr
    result = manage("check", DATA_DIR=str(tmp_path), WEBPUSH_VAPID_PUBLIC_KEY=public, WEBPUSH_VAPID_PRIVATE_KEY=private)
    assert result.returncode == 0, result.stderr


def test_the_push_text_is_rendered_by_the_delivery_task_not_in_the_request(
    push_service, parent, django_capture_on_commit_callbacks
):
    phone = push_service.device()
    subscribe(parent, phone)
    MessageTemplate.objects.filter(event=Event.DOSSIER_VALIDATED).update(
        push_text="Dossier de {{ child.first_name }} validé.")
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify(event=Event.DOSSIER_VALIDATED, recipient=parent.email, key="v1",
                        context=sample_context(Event.DOSSIER_VALIDATED), user=parent)
    row = Notification.objects.get(channel=Channel.PUSH)
    # Stored with its checked variables, nothing rendered yet.
    assert row.body_text == "" and row.render_input["context"]["child"]["first_name"] == "Maëlys"
    # An editor changing the text meanwhile: the worker renders what is in force when it sends.
    MessageTemplate.objects.filter(event=Event.DOSSIER_VALIDATED).update(
        push_text="{{ child.first_name }} : dossier validé.")
    for callback in callbacks:
        callback()
    row.refresh_from_db()
    assert phone.received[0].payload["body"] == "Maëlys : dossier validé."
    assert (row.status, row.body_text, row.render_input) == (Status.SENT, "Maëlys : dossier validé.", None)
