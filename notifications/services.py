"""Writes of the notifications app: store a message in the outbox, deliver
it, sweep what was left behind, resend a failure.

Delivery guarantees. Huey does not acknowledge tasks: a task running when
its consumer dies is lost. So the outbox row, not the task, carries the
state. ``notify()`` writes the row in the caller's transaction and enqueues
a task after commit; the task claims the row (PENDING → SENDING, one UPDATE
… WHERE, so two workers never both send it) and sends; the periodic sweep
re-enqueues rows left PENDING and reclaims rows stuck in SENDING. Nothing is
lost, no database effect happens twice, and a message is sent twice only
when a consumer dies between the SMTP server accepting it and the row being
marked SENT — the one window no outbox can close. The Message-ID is the
same on both copies, so mail clients show one.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
import time
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import rendering
from .constants import SENSITIVE_EVENTS, Event, Status
from .defaults import DEFAULT_TEMPLATES
from .models import MessageTemplate, Notification, NotificationAttachment
from .variables import build_context

logger = logging.getLogger(__name__)

# Tunable with settings.NOTIFICATIONS = {"MAX_ATTEMPTS": …, …}.
DEFAULTS = {
    "MAX_ATTEMPTS": 8,  # then FAILED, for staff to see and resend
    "RETRY_BASE_DELAY": 60,  # seconds; doubles after each failure: 1, 2, 4 … 64 min
    "RETRY_MAX_DELAY": 6 * 3600,
    "PENDING_GRACE": 60,  # a due row nobody took for this long is re-enqueued
    "SENDING_TIMEOUT": 600,  # a claim older than this is a dead worker's (EMAIL_TIMEOUT is 30 s)
    "SWEEP_BATCH": 500,
    "CONNECTION_IDLE": 30,  # seconds a worker keeps its SMTP connection open between messages
}


def _setting(name: str) -> int:
    return getattr(settings, "NOTIFICATIONS", {}).get(name, DEFAULTS[name])


# --- Storing ------------------------------------------------------------------------------


def notify(
    *,
    event: Event,
    recipient: str,
    key: str,
    context: dict,
    user=None,
    about=None,
    family=None,
    attachments: Iterable[tuple[str, bytes, str]] = (),
    template: tuple[str, str] | None = None,
) -> Notification:
    """Store the message for ``event`` in the outbox and deliver it after the
    current transaction commits.

    ``key`` identifies the event: notifying the same key twice (for the same
    recipient) stores and sends one message. ``context`` holds the variables
    documented in ``notifications.variables`` for this event, as dicts or
    objects. ``about`` is what the message concerns (a dossier), so that it
    shows in its history; ``family`` (taken from ``user`` when not given)
    makes it show in the family's area. ``attachments`` are
    ``(filename, content, mimetype)`` triples. ``template`` is a
    ``(subject, body)`` written for this case (a procedure's own wording):
    used when it renders, else the editors' template of the event, else the
    default.
    """
    full_key = f"{event}:{key}:{recipient.lower()}"
    if len(full_key) > 200:
        full_key = f"{event}:{hashlib.sha256(full_key.encode()).hexdigest()}"
    subject, body, template_error = render_message(event=event, context=build_context(event, context),
                                                   override=template)
    about_fields = {}
    if about is not None:
        about_fields = {"content_type": ContentType.objects.get_for_model(about), "object_id": str(about.pk)}
    try:
        # A savepoint: a concurrent request that stored the same key first
        # wins, and this one returns its row.
        with transaction.atomic():
            notification = Notification.objects.create(
                key=full_key,
                event=event,
                recipient=recipient,
                user=user,
                family_id=getattr(family, "pk", None) or getattr(user, "family_id", None),
                subject=subject,
                body_text=body,
                body_html=rendering.html_from_text(body, subject),
                template_error=template_error,
                next_attempt_at=timezone.now(),
                **about_fields,
            )
    except IntegrityError:
        return Notification.objects.get(key=full_key)
    if attachments:
        NotificationAttachment.objects.bulk_create(
            NotificationAttachment(notification=notification, filename=name, content=content, mimetype=mimetype)
            for name, content, mimetype in attachments
        )
    _enqueue_on_commit(notification.pk)
    return notification


def render_message(*, event: str, context: dict, override: tuple[str, str] | None = None) -> tuple[str, str, str]:
    """(subject, body, problem with the editors' template). The ``override``
    (a procedure's own wording), then the editors' template of the event,
    is used when it renders; otherwise the next one is, and the problem is
    kept on the row for staff — a broken template never stops a message. A
    default that fails is a programming error and raises."""
    problem = ""
    if override is not None:
        try:
            return rendering.render_subject(override[0], context), rendering.render(override[1], context), ""
        except Exception as error:  # noqa: BLE001 - any failure of an editor's template falls back
            problem = str(rendering.problem_from(error))
            logger.warning("Procedure message for %s failed, the event's template used: %s", event, problem)
    template = MessageTemplate.objects.filter(event=event).first()
    if template is not None:
        try:
            return (rendering.render_subject(template.subject, context), rendering.render(template.body, context),
                    problem)
        except Exception as error:  # noqa: BLE001 - any failure of an editor's template falls back
            problem = str(rendering.problem_from(error))
            logger.warning("Message template for %s failed, default used: %s", event, problem)
    subject_source, body_source = DEFAULT_TEMPLATES[event]
    return rendering.render_subject(subject_source, context), rendering.render(body_source, context), problem


def message_templates_ensure() -> int:
    """Give every event an editable template, seeded from the defaults;
    never touches one that exists. Returns how many were created."""
    existing = set(MessageTemplate.objects.values_list("event", flat=True))
    created = MessageTemplate.objects.bulk_create(
        MessageTemplate(event=event, subject=subject, body=body)
        for event, (subject, body) in DEFAULT_TEMPLATES.items()
        if event not in existing
    )
    return len(created)


# --- Delivering ------------------------------------------------------------------------------


def notification_deliver(*, notification_id: int) -> bool:
    """Send one outbox message if it is due; returns whether this call sent it.

    The row is claimed first with one conditional UPDATE, so that a task
    enqueued twice, or by the sweep while another is running, sends once.
    The attempt is counted at the claim: a message that kills its worker
    every time still ends FAILED instead of looping.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False
    notification = Notification.objects.get(pk=notification_id)
    try:
        _send(_build_message(notification))
    except Exception as error:  # noqa: BLE001 - every failure is recorded and retried or shown to staff
        _record_failure(notification, error)
        return False
    sent = {"status": Status.SENT, "sent_at": timezone.now(), "last_error": ""}
    if notification.event in SENSITIVE_EVENTS:
        sent.update(body_text="", body_html="")  # the one-time link or password is gone once delivered
    # Even if the sweep took the row back meanwhile: it was sent, do not send it again.
    Notification.objects.filter(pk=notification_id).exclude(status=Status.SENT).update(**sent)
    return True


_worker = threading.local()


def _send(message: EmailMultiAlternatives) -> None:
    """Send over the worker thread's own SMTP connection, kept open between
    messages (connecting, EHLO and QUIT for each one cost more than the
    message). A connection idle for too long is replaced; one the server
    dropped meanwhile is replaced once — the server had not taken the message."""
    connection = getattr(_worker, "connection", None)
    server = _mail_server()
    if connection is not None and (
        time.monotonic() - _worker.used > _setting("CONNECTION_IDLE") or _worker.server != server
    ):
        _close_worker_connection()
        connection = None
    if connection is None:
        connection = _worker.connection = get_connection()
        _worker.server = server
        connection.open()
    _worker.used = time.monotonic()
    message.connection = connection
    try:
        message.send()
    except smtplib.SMTPServerDisconnected:
        _close_worker_connection()
        _worker.connection = connection = get_connection()
        connection.open()
        message.connection = connection
        try:
            message.send()
        except Exception:
            _close_worker_connection()
            raise
    except Exception:
        _close_worker_connection()  # a connection in an unknown state is not reused
        raise


def _mail_server() -> tuple:
    """What the connection was opened for: a change of settings opens another."""
    return tuple(getattr(settings, name, None) for name in (
        "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS", "EMAIL_USE_SSL"))


def _close_worker_connection() -> None:
    connection = getattr(_worker, "connection", None)
    _worker.connection = None
    if connection is not None:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail too
            pass


def _build_message(notification: Notification) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"Message-ID": notification.message_id, "Auto-Submitted": "auto-generated"},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    for attachment in notification.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    return message


def _is_permanent(error: Exception) -> bool:
    """An SMTP 5xx for the recipient, the sender or the data will not get better by retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500
    return False


def retry_delay(attempts: int) -> int:
    return min(_setting("RETRY_BASE_DELAY") * 2 ** max(attempts - 1, 0), _setting("RETRY_MAX_DELAY"))


def _record_failure(notification: Notification, error: Exception) -> None:
    last_error = f"{type(error).__name__}: {error}"[:2000]
    claim = Notification.objects.filter(pk=notification.pk, status=Status.SENDING)
    if _is_permanent(error) or notification.attempts >= _setting("MAX_ATTEMPTS"):
        claim.update(status=Status.FAILED, last_error=last_error)
        logger.error("Notification %s failed for good: %s", notification.pk, last_error)
        return
    delay = retry_delay(notification.attempts)
    claim.update(
        status=Status.PENDING, next_attempt_at=timezone.now() + timedelta(seconds=delay), last_error=last_error
    )
    logger.warning("Notification %s failed, retry in %s s: %s", notification.pk, delay, last_error)
    from .tasks import notification_deliver as task

    task.schedule(args=(notification.pk,), delay=delay)


def _enqueue_on_commit(notification_id: int) -> None:
    from .tasks import notification_deliver as task

    # robust: if the queue is down the commit still stands; the sweep enqueues it later.
    transaction.on_commit(lambda: task(notification_id), robust=True)


def notifications_sweep(*, pending_grace: int | None = None, sending_timeout: int | None = None) -> list[int]:
    """Re-enqueue what a dead consumer, a lost task or a down queue left:
    rows due for longer than ``pending_grace`` seconds, and rows claimed
    longer than ``sending_timeout`` seconds ago (their worker died: sending
    them again may duplicate a message the SMTP server had accepted).
    Returns the ids enqueued."""
    from .tasks import notification_deliver as task

    now = timezone.now()
    pending_grace = _setting("PENDING_GRACE") if pending_grace is None else pending_grace
    sending_timeout = _setting("SENDING_TIMEOUT") if sending_timeout is None else sending_timeout
    batch = _setting("SWEEP_BATCH")

    stuck = Notification.objects.filter(status=Status.SENDING, claimed_at__lte=now - timedelta(seconds=sending_timeout))
    stuck_ids = list(stuck.values_list("pk", flat=True)[:batch])
    stuck = stuck.filter(pk__in=stuck_ids)
    interrupted = "Envoi interrompu : le processus d'envoi s'est arrêté"
    stuck.filter(attempts__gte=_setting("MAX_ATTEMPTS")).update(
        status=Status.FAILED, last_error=f"{interrupted} à chaque tentative."
    )
    stuck.update(status=Status.PENDING, next_attempt_at=now, last_error=f"{interrupted} ; envoi repris.")

    due = Notification.objects.filter(
        status=Status.PENDING, next_attempt_at__lte=now - timedelta(seconds=pending_grace)
    ).order_by("next_attempt_at")
    due_ids = list(due.values_list("pk", flat=True)[:batch])
    # Marked as just enqueued, so that the next sweep leaves them a grace period again.
    Notification.objects.filter(pk__in=due_ids, status=Status.PENDING).update(next_attempt_at=now)

    enqueued = list(dict.fromkeys(stuck_ids + due_ids))
    for pk in enqueued:
        task(pk)
    if enqueued:
        logger.info("Sweep re-enqueued %s notification(s), %s of them interrupted", len(enqueued), len(stuck_ids))
    return enqueued


def notification_resend(*, notification: Notification) -> Notification:
    """Staff's « renvoyer » on a message that failed for good: a fresh round of attempts."""
    if notification.status != Status.FAILED:
        raise ValueError("Only a failed notification can be resent.")
    Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    _enqueue_on_commit(notification.pk)
    notification.refresh_from_db()
    return notification
