"""The outbox: notify() stores in the caller's transaction, the task claims
before sending, failures back off then show to staff, the sweep picks up
what a dead consumer left."""

import datetime as dt
import smtplib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from huey.api import PeriodicTask

from accounts.models import Child, Family
from notifications import services, tasks
from notifications.constants import Event, Status
from notifications.models import MessageTemplate, Notification
from notifications.selectors import notifications_for, notifications_for_family, notifications_for_user
from notifications.services import notification_deliver, notification_resend, notifications_sweep, notify
from notifications.variables import MissingVariable, sample_context
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RejectingBackend(BaseEmailBackend):
    """A mail server that does not know the recipient."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"5.1.1 User unknown")})


def _reminder(recipient="parent@example.org", key="reminder-1", **kwargs):
    return notify(
        event=Event.PAYMENT_REMINDER,
        recipient=recipient,
        key=key,
        context=sample_context(Event.PAYMENT_REMINDER),
        **kwargs,
    )


def _delivered(notification):
    """The row once its task ran: the message is rendered by the delivery, not by notify()."""
    notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    return notification


def _make_due(notification):
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_notify_stores_the_rendered_message_and_sends_it_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = _reminder()
        assert notification.status == Status.PENDING and mail.outbox == []
    assert len(callbacks) == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.attempts == 1 and notification.sent_at
    assert notification.subject == "Rappel : paiement de 45,50\u00a0€ avant le 20 décembre 2026"
    (message,) = mail.outbox
    assert message.to == ["parent@example.org"]
    assert message.extra_headers["Message-ID"] == f"<notification-{notification.pk}@inscrire.localhost>"
    assert "Maëlys" in message.body and message.alternatives[0][1] == "text/html"


def test_the_same_event_key_stores_and_sends_one_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _reminder()
        second = _reminder()
        _reminder(recipient="other@example.org")
    assert first.pk == second.pk
    assert Notification.objects.count() == 2 and len(mail.outbox) == 2


def test_nothing_is_stored_or_sent_when_the_callers_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _reminder()
                raise RuntimeError("the event failed")
    assert callbacks == [] and not Notification.objects.exists() and mail.outbox == []


def test_the_editors_template_is_used():
    MessageTemplate.objects.filter(event=Event.PAYMENT_REMINDER).update(
        subject="{{ child.first_name }} : {{ amount|montant }}", body="Échéance le {{ due_date|date_fr }}."
    )
    notification = _reminder()
    assert notification.subject == "" and notification.render_input["context"]["child"]["first_name"] == "Maëlys"
    notification = _delivered(notification)
    assert notification.subject == "Maëlys : 45,50\u00a0€"
    assert notification.body_text == "Échéance le 20 décembre 2026."
    assert notification.template_error == ""


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__.__mro__ }}",
        "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
        "{{ pas_de_variable }}",
        "{% if %}",
    ],
)
def test_a_broken_editors_template_falls_back_to_the_default_and_is_reported(body, django_capture_on_commit_callbacks):
    # Saved around the admin's checks (an import, an older version of the variables…).
    MessageTemplate.objects.filter(event=Event.PAYMENT_REMINDER).update(body=body)
    with django_capture_on_commit_callbacks(execute=True):
        notification = _reminder()
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert "un paiement de 45,50\u00a0€ est attendu" in notification.body_text
    assert notification.template_error.startswith("Ligne 1 : ")
    assert len(mail.outbox) == 1


def test_a_missing_template_row_falls_back_to_the_default():
    MessageTemplate.objects.filter(event=Event.PAYMENT_REMINDER).delete()
    assert _delivered(_reminder()).subject.startswith("Rappel : paiement de 45,50")


def test_a_missing_variable_is_a_programming_error():
    with pytest.raises(MissingVariable, match="'due_date'"):
        notify(
            event=Event.PAYMENT_REMINDER,
            recipient="parent@example.org",
            key="k",
            context={k: v for k, v in sample_context(Event.PAYMENT_REMINDER).items() if k != "due_date"},
        )


def test_optional_variables_may_be_left_out_and_none_renders_empty():
    context = sample_context(Event.CORRECTION_REQUESTED)
    del context["comment"]
    context["due_date"] = None
    body = _delivered(notify(event=Event.CORRECTION_REQUESTED, recipient="p@example.org", key="c", context=context)).body_text
    assert "de le compléter ou de le corriger.\n" in body and "Message de l'école" not in body and "None" not in body
    _delivered(notify(event=Event.PASSWORD_RESET, recipient="p@example.org", key="r", context={"link": "https://x/r/"}))
    assert mail.outbox[-1].body.startswith("Bonjour,\n")  # a one-time link: wiped from the row once sent


def test_objects_in_the_context_are_copied_as_plain_documented_fields_only():
    family = Family.objects.create(name="Famille Rosine", commune="Le Marin")
    child = Child.objects.create(family=family, first_name="Léo", last_name="Rosine", birth_date=dt.date(2021, 5, 4), level="GS")
    school = SchoolFactory(name="École du Bourg")
    context = {
        **sample_context(Event.DOSSIER_VALIDATED),
        "family": family,
        "child": child,
        "school": school,
        "unexpected": "dropped",
    }
    MessageTemplate.objects.filter(event=Event.DOSSIER_VALIDATED).update(
        body="{{ child.first_name }} {{ child.level }} {{ child.birth_date|date_fr }} / {{ family.name }} / {{ school.name }}"
    )
    notification = _delivered(notify(event=Event.DOSSIER_VALIDATED, recipient="p@example.org", key="v", context=context))
    assert notification.body_text == "Léo Grande section 4 mai 2021 / Famille Rosine / École du Bourg"


def test_about_family_and_user_make_the_in_app_copy():
    family = Family.objects.create(name="Famille Rosine")
    parent = UserFactory(family=family)
    other_guardian = UserFactory(family=family)
    stranger = UserFactory()
    dossier_like = SchoolFactory()  # any model instance can be what a message is about
    mine = _reminder(recipient=parent.email, key="a", user=parent, about=dossier_like)
    theirs = _reminder(recipient=other_guardian.email, key="b", family=family)
    _reminder(recipient=stranger.email, key="c", user=stranger)
    notify(
        event=Event.PASSWORD_RESET,
        recipient=parent.email,
        key="reset",
        context={"user": parent, "link": "https://x/reset/secret/"},
        user=parent,
    )

    assert mine.family_id == family.pk  # taken from the user
    assert list(notifications_for(about=dossier_like)) == [mine]
    assert set(notifications_for_family(family=family)) == {mine, theirs}
    # The password reset link is nobody's to reread in the portal.
    assert set(notifications_for_user(user=parent)) == {mine, theirs}
    assert list(notifications_for_user(user=stranger)) == [Notification.objects.get(key__contains=":c:")]


def test_attachments_travel_with_the_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            event=Event.DOSSIER_CONFIRMED,
            recipient="p@example.org",
            key="confirmed",
            context=sample_context(Event.DOSSIER_CONFIRMED),
            attachments=[("attestation.pdf", b"%PDF-1.4 fake", "application/pdf")],
        )
    (message,) = mail.outbox
    assert message.attachments == [("attestation.pdf", b"%PDF-1.4 fake", "application/pdf")]


def test_a_one_time_link_is_wiped_from_the_outbox_once_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            event=Event.PASSWORD_RESET,
            recipient="p@example.org",
            key="reset",
            context={"user": {"first_name": "Léa"}, "link": "https://x/reset/secret-token/"},
        )
    notification.refresh_from_db()
    assert "secret-token" in mail.outbox[0].body
    assert notification.status == Status.SENT and notification.body_text == "" and notification.body_html == ""


# --- Delivery ------------------------------------------------------------------------------


def test_a_claimed_row_is_sent_once_however_many_tasks_run():
    notification = _reminder()
    assert notification_deliver(notification_id=notification.pk) is True
    assert notification_deliver(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_row_claimed_by_another_worker_is_left_alone():
    notification = _reminder()
    Notification.objects.filter(pk=notification.pk).update(status=Status.SENDING, claimed_at=timezone.now())
    assert notification_deliver(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_a_failure_is_retried_later_with_exponential_backoff(settings, queued_huey):
    settings.EMAIL_BACKEND = "tests.notifications.test_services.RefusingBackend"
    notification = _reminder()
    before = timezone.now()

    assert notification_deliver(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.status == Status.PENDING and notification.attempts == 1
    assert "Connection refused" in notification.last_error
    assert 59 <= (notification.next_attempt_at - before).total_seconds() <= 61
    (retry,) = [queued_huey.dequeue()]
    assert retry.args == (notification.pk,) and (retry.eta - before.replace(tzinfo=None)).total_seconds() >= 59
    # Not due yet: a stray task does nothing.
    assert notification_deliver(notification_id=notification.pk) is False

    _make_due(notification)
    notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.attempts == 2
    assert 119 <= (notification.next_attempt_at - timezone.now()).total_seconds() <= 121

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _make_due(notification)
    assert notification_deliver(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.last_error == "" and notification.attempts == 3


def test_backoff_doubles_up_to_a_ceiling():
    assert [services.retry_delay(n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert services.retry_delay(20) == 6 * 3600


def test_after_the_last_attempt_the_failure_is_permanent(settings, queued_huey):
    settings.EMAIL_BACKEND = "tests.notifications.test_services.RefusingBackend"
    settings.NOTIFICATIONS = {"MAX_ATTEMPTS": 2}
    notification = _reminder()
    notification_deliver(notification_id=notification.pk)
    _make_due(notification)
    notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Status.FAILED and notification.attempts == 2


def test_a_refused_recipient_fails_at_once(settings, queued_huey):
    settings.EMAIL_BACKEND = "tests.notifications.test_services.RejectingBackend"
    notification = _reminder()
    notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Status.FAILED and notification.attempts == 1
    assert "User unknown" in notification.last_error
    assert queued_huey.pending_count() == 0


def test_staff_can_resend_a_failed_message(django_capture_on_commit_callbacks):
    notification = _reminder()
    Notification.objects.filter(pk=notification.pk).update(status=Status.FAILED, attempts=8, last_error="boom")
    notification.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notification_resend(notification=notification)
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.attempts == 1
    assert len(mail.outbox) == 1


def test_only_a_failed_message_can_be_resent():
    with pytest.raises(ValueError):
        notification_resend(notification=_reminder())


# --- The sweep ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the tasks run as in the consumer, which closes connections
def test_the_sweep_re_enqueues_rows_left_pending_and_reclaims_rows_left_sending(queued_huey):
    now = timezone.now()
    fresh = _reminder(key="fresh")
    forgotten = _reminder(key="forgotten")
    Notification.objects.filter(pk=forgotten.pk).update(next_attempt_at=now - timedelta(minutes=2))
    waiting_retry = _reminder(key="retry")
    Notification.objects.filter(pk=waiting_retry.pk).update(next_attempt_at=now + timedelta(minutes=5))
    half_sent = _reminder(key="half-sent")
    Notification.objects.filter(pk=half_sent.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=now - timedelta(minutes=11)
    )
    being_sent = _reminder(key="being-sent")
    Notification.objects.filter(pk=being_sent.pk).update(status=Status.SENDING, attempts=1, claimed_at=now)
    queued_huey.flush()

    assert sorted(notifications_sweep()) == sorted([forgotten.pk, half_sent.pk])
    assert queued_huey.pending_count() == 2
    half_sent.refresh_from_db()
    assert half_sent.status == Status.PENDING and "interrompu" in half_sent.last_error
    # A second sweep right away leaves them their grace period.
    assert notifications_sweep() == []

    while (task := queued_huey.dequeue()) is not None:
        queued_huey.execute(task)
    statuses = dict(Notification.objects.values_list("key", "status"))
    assert {key.split(":")[1]: status for key, status in statuses.items()} == {
        "fresh": Status.PENDING,
        "forgotten": Status.SENT,
        "retry": Status.PENDING,
        "half-sent": Status.SENT,
        "being-sent": Status.SENDING,
    }
    assert len(mail.outbox) == 2


def test_a_row_that_keeps_killing_its_worker_ends_failed(settings, queued_huey):
    settings.NOTIFICATIONS = {"MAX_ATTEMPTS": 3}
    notification = _reminder()
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.SENDING, attempts=3, claimed_at=timezone.now() - timedelta(hours=1)
    )
    notifications_sweep()
    notification.refresh_from_db()
    assert notification.status == Status.FAILED


def test_the_sweep_runs_every_minute_from_hueys_scheduler():
    periodic = tasks.notifications_sweep.task_class()
    assert isinstance(periodic, PeriodicTask)
    start = dt.datetime(2026, 6, 2, 14, 0)
    assert all(periodic.validate_datetime(start + timedelta(minutes=m)) for m in range(60))


def test_amounts_may_be_passed_as_numbers_or_text():
    context = {**sample_context(Event.PAYMENT_RECEIVED), "amount": "1234.5"}
    notification = _delivered(notify(event=Event.PAYMENT_RECEIVED, recipient="p@example.org", key="paid", context=context))
    assert notification.subject == "Paiement de 1\u00a0234,50\u00a0€ reçu"
    context["amount"] = Decimal("12")
    assert "12,00\u00a0€" in _delivered(
        notify(event=Event.PAYMENT_RECEIVED, recipient="p@example.org", key="p2", context=context)).subject


# --- The drain ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # real commits: the tasks are enqueued by them
def test_a_transaction_enqueues_one_drain_task_per_batch_of_e_mails_and_they_send_them_all(queued_huey, settings):
    """Not one task per e-mail (most of which would find nothing left): a
    transaction that stores 120 e-mails with batches of 50 enqueues 3 drain
    tasks; an e-mail stored in a savepoint that was rolled back counts for
    nothing, and one stored after it gets a task; a lone e-mail outside any
    transaction gets its own."""
    settings.NOTIFICATIONS = {"DELIVERY_BATCH": 50}
    with transaction.atomic():
        for i in range(119):
            _reminder(key=f"batch-{i}")
        assert queued_huey.pending_count() == 0  # nothing before the commit
        _reminder(key="batch-119")
    assert queued_huey.pending_count() == 3

    with transaction.atomic():
        try:
            with transaction.atomic():
                _reminder(key="rolled-back")
                raise RuntimeError("the caller's error")
        except RuntimeError:
            pass
        _reminder(key="after-the-rollback")
    assert queued_huey.pending_count() == 4
    _reminder(key="alone")
    assert queued_huey.pending_count() == 5

    while (task := queued_huey.dequeue()) is not None:
        queued_huey.execute(task)
    assert not Notification.objects.exclude(status=Status.SENT).exists()
    assert Notification.objects.count() == len(mail.outbox) == 122


@pytest.mark.django_db(transaction=True)
def test_a_delivery_task_claims_one_batch_however_many_are_due(queued_huey, settings):
    """A task sends ``DELIVERY_BATCH`` e-mails and leaves the rest to the
    other tasks (and consumers): on PostgreSQL the claim's locked subquery
    must run once, not once per row it updates (which claimed them all)."""
    settings.NOTIFICATIONS = {"DELIVERY_BATCH": 50}
    with transaction.atomic():
        for i in range(300):
            _reminder(recipient=f"parent{i:03d}@example.org", key="claim")
    assert len(services.notifications_deliver_batch()) == 50
    assert Notification.objects.filter(status=Status.SENT).count() == len(mail.outbox) == 50
    assert Notification.objects.filter(status=Status.PENDING).count() == 250


@pytest.mark.django_db(transaction=True)  # real commits: the tasks are enqueued by them
def test_a_retry_taken_by_a_batch_drains_the_place_it_took_with_its_own_task(queued_huey, settings):
    """A retry that comes due while a drain runs is claimed by the drain, oldest
    first, and pushes a fresh e-mail out of the batch; the retry's own task,
    finding its row sent, sends that e-mail — it does not wait for the sweep."""
    settings.NOTIFICATIONS = {"DELIVERY_BATCH": 3}
    settings.EMAIL_BACKEND = "tests.notifications.test_services.RefusingBackend"
    retried = _reminder(recipient="retry@example.org", key="retry")
    queued_huey.execute(queued_huey.dequeue())  # the server is down: the retry is scheduled
    retry_task = queued_huey.dequeue()
    assert retry_task.args == (retried.pk,) and queued_huey.pending_count() == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.filter(pk=retried.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))

    with transaction.atomic():
        for i in range(3):
            _reminder(recipient=f"parent{i}@example.org", key=f"fresh-{i}")
    (drain,) = [queued_huey.dequeue()]
    queued_huey.execute(drain)
    assert [m.to for m in mail.outbox] == [["retry@example.org"], ["parent0@example.org"], ["parent1@example.org"]]
    (left,) = Notification.objects.filter(status=Status.PENDING)
    assert left.recipient == "parent2@example.org"

    queued_huey.execute(retry_task, timestamp=retry_task.eta)  # its time has come
    assert not Notification.objects.exclude(status=Status.SENT).exists()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "parent0@example.org", "parent1@example.org", "parent2@example.org", "retry@example.org"]
    assert queued_huey.pending_count() == 0
