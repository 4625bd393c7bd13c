"""Every event's message, through the outbox and the task, to a real SMTP
server on localhost: recipients, subject, body, encoding, French formats."""

import pytest

from notifications.constants import Event
from notifications.models import MessageTemplate, Notification
from notifications.services import notify, render_message
from notifications.variables import build_context, sample_context

pytestmark = pytest.mark.django_db


def _send(event, smtp, django_capture_on_commit_callbacks, **kwargs):
    """The row after sending, with the body its task rendered (a one-time
    link is wiped from the row once sent)."""
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            event=event, recipient="nadege.joseph@example.org", key=f"smtp-{event}", context=sample_context(event), **kwargs
        )
    stored_body = render_message(event=event, context=build_context(event, sample_context(event)))[1]
    notification.refresh_from_db()
    notification.stored_body = stored_body
    return notification


def _subject(message) -> str:
    # Django folds a long encoded subject onto its own line; the parser keeps the fold's space.
    return message["Subject"].strip()


@pytest.mark.parametrize("event", list(Event))
def test_every_event_arrives_with_its_editors_message(event, smtp, django_capture_on_commit_callbacks):
    template = MessageTemplate.objects.get(event=event)
    template.subject = "[{{ site_name }}] " + template.subject
    template.save()

    notification = _send(event, smtp, django_capture_on_commit_callbacks)

    assert notification.status == "sent", notification.last_error
    (envelope,) = smtp.envelopes
    assert envelope.rcpt_tos == ["nadege.joseph@example.org"]
    assert envelope.mail_from == "ne-pas-repondre@inscrire.localhost"
    (message,) = smtp.messages()
    assert _subject(message) == notification.subject and notification.subject.startswith("[Inscrire] ")
    assert message["To"] == "nadege.joseph@example.org"
    assert message["Message-ID"] == f"<notification-{notification.pk}@inscrire.localhost>"
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",))
    assert text.get_content_charset() == "utf-8"
    assert text.get_content().replace("\r\n", "\n").rstrip("\n") == notification.stored_body.rstrip("\n")
    assert "{{" not in text.get_content() and "{%" not in text.get_content()
    html = message.get_body(("html",)).get_content()
    assert html.startswith("<!DOCTYPE html>") and "<p>" in html


def test_accents_and_french_formats_survive_the_wire(smtp, django_capture_on_commit_callbacks):
    notification = _send(Event.PAYMENT_REMINDER, smtp, django_capture_on_commit_callbacks)

    raw = smtp.envelopes[0].content
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0].lower()  # the subject is an encoded word
    (message,) = smtp.messages()
    assert _subject(message) == "Rappel : paiement de 45,50\u00a0€ avant le 20 décembre 2026"
    body = message.get_body(("plain",)).get_content()
    assert "Maëlys Joseph-Angélique à École maternelle du Bourg" in body
    assert "un paiement de 45,50\u00a0€ est attendu au plus tard le 20 décembre 2026" in body
    assert "Dossier n° 2026-0142" in body
    html = message.get_body(("html",)).get_content()
    assert "45,50\u00a0€" in html and "Maëlys" in html
    assert '<a href="https://inscrire.example/mes-dossiers/2026-0142/"' in html
    assert notification.sent_at is not None


def test_the_attestation_is_attached(smtp, django_capture_on_commit_callbacks):
    _send(
        Event.DOSSIER_CONFIRMED,
        smtp,
        django_capture_on_commit_callbacks,
        attachments=[("attestation-2026-0142.pdf", b"%PDF-1.4\n%\xe2\xe3\n", "application/pdf")],
    )
    (message,) = smtp.messages()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "attestation-2026-0142.pdf"
    assert attachment.get_content() == b"%PDF-1.4\n%\xe2\xe3\n"


def test_a_server_that_refuses_the_connection_leaves_the_row_pending_for_a_retry(
    settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nobody listens there
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            event=Event.PAYMENT_OVERDUE, recipient="p@example.org", key="down", context=sample_context(Event.PAYMENT_OVERDUE)
        )
    notification = Notification.objects.get(pk=notification.pk)
    assert notification.status == "pending" and notification.attempts == 1
    assert "Connection refused" in notification.last_error or "Errno" in notification.last_error


def test_a_worker_keeps_its_smtp_connection_and_replaces_one_the_server_dropped(smtp, smtp_server):
    """Messages in a row go over one connection (no connect, EHLO and QUIT
    each time); when the server drops it between two messages, the next one
    opens another and is sent — nothing is lost or left pending."""
    from aiosmtpd.controller import Controller

    from notifications.services import notification_deliver

    def queued(n):
        return [notify(event=Event.PAYMENT_REMINDER, recipient=f"p{n}-{i}@example.org", key="keep",
                       context=sample_context(Event.PAYMENT_REMINDER)).pk for i in range(3)]

    first = queued(1)
    assert all(notification_deliver(notification_id=pk) for pk in first)
    assert smtp_server.count == 3 and len(set(smtp_server.peers)) == 1

    # The server goes away and comes back on the same port: the kept connection is dead.
    smtp_server.controller.stop()
    smtp_server.controller = Controller(smtp_server, hostname="127.0.0.1", port=smtp_server.port)
    smtp_server.controller.start()
    second = queued(2)
    assert all(notification_deliver(notification_id=pk) for pk in second)
    assert smtp_server.count == 6 and len(set(smtp_server.peers)) == 2
    assert Notification.objects.filter(status="sent").count() == 6


def test_a_batch_is_claimed_at_once_and_sent_over_one_connection(smtp, smtp_server, capsys):
    """One delivery task sends a batch: one claim, one read, then one
    UPDATE per message as the server takes it, which stores its text too —
    against three statements and more per message one at a time. Printed (``-s``):
    messages per second both ways, in the same run."""
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.services import notification_deliver, notifications_deliver_batch

    count = 100

    def queued(run):
        return [notify(event=Event.DOSSIER_SUBMITTED, recipient=f"{run}-{i}@example.org", key=run,
                       context=sample_context(Event.DOSSIER_SUBMITTED)).pk for i in range(count)]

    ids = queued("one-by-one")
    with CaptureQueriesContext(connection) as one_by_one:
        started = time.perf_counter()
        assert all(notification_deliver(notification_id=pk) for pk in ids)
        single_s = time.perf_counter() - started

    ids = queued("batch")
    with CaptureQueriesContext(connection) as batched:
        started = time.perf_counter()
        sent = notifications_deliver_batch(limit=60) + notifications_deliver_batch(limit=60)
        batch_s = time.perf_counter() - started
    assert sorted(sent) == sorted(ids) and notifications_deliver_batch(limit=60) == []
    assert smtp_server.count == 2 * count and len(set(smtp_server.peers)) == 1
    assert Notification.objects.filter(status="sent", attempts=1).count() == 2 * count
    per_message = len(batched) / count
    assert per_message <= 1.2 and len(one_by_one) / count >= 4
    with capsys.disabled():
        print(f"\ndelivery, {connection.vendor}: one at a time {len(one_by_one) / count:.2f} statements and "
              f"{count / single_s:.0f} messages/s; batches of 60 {per_message:.2f} statements and "
              f"{count / batch_s:.0f} messages/s")
