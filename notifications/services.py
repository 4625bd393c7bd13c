"""Writes of the notifications app: store a message in the outbox, deliver
it, sweep what was left behind, resend a failure; turn a device's push
notifications on and off.

Delivery guarantees. Huey does not acknowledge tasks: a task running when
its consumer dies is lost. So the outbox row, not the task, carries the
state. ``notify()`` writes the row in the caller's transaction — the
event's variables, checked, not yet the message — and enqueues a task after
commit; the task claims a batch of due rows (PENDING → SENDING, one UPDATE
… WHERE, so two workers never both send one), renders each message once and
stores it on its row, then sends them over one SMTP connection; the periodic sweep
re-enqueues rows left PENDING and reclaims rows stuck in SENDING. Nothing is
lost, no database effect happens twice, and a message is sent twice only
when a consumer dies between the SMTP server accepting it and the row being
marked SENT — the one window no outbox can close. The Message-ID is the
same on both copies, so mail clients show one.

Push notifications are rows of the same outbox (``channel=push``, one per
device of the recipient), written by ``notify()`` beside the e-mail in the
same transaction and delivered by the same task, claim, backoff and sweep;
only the last step differs (an encrypted POST to the device's push service,
``push.send``, instead of SMTP). A push sent twice carries the same tag, so
the phone shows it once. The e-mail stays the message of record.
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
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import push, rendering
from .constants import PUSH_EXCLUDED_EVENTS, SENSITIVE_EVENTS, Channel, Event, Status
from .defaults import DEFAULT_PUSH_TEXTS, DEFAULT_TEMPLATES
from .models import MessageTemplate, Notification, NotificationAttachment, PushSubscription
from .variables import build_context, context_from_json, context_to_json

logger = logging.getLogger(__name__)

# Tunable with settings.NOTIFICATIONS = {"MAX_ATTEMPTS": …, …}.
DEFAULTS = {
    "MAX_ATTEMPTS": 8,  # then FAILED, for staff to see and resend
    "RETRY_BASE_DELAY": 60,  # seconds; doubles after each failure: 1, 2, 4 … 64 min
    "RETRY_MAX_DELAY": 6 * 3600,
    "PENDING_GRACE": 60,  # a due row nobody took for this long is re-enqueued
    "SENDING_TIMEOUT": 600,  # a claim older than this is a dead worker's (EMAIL_TIMEOUT is 30 s)
    "SWEEP_BATCH": 500,
    "DELIVERY_BATCH": 50,  # e-mails one delivery task claims and sends over one SMTP connection
    "CONNECTION_IDLE": 30,  # seconds a worker keeps its SMTP connection open between messages
    "PUSH_TTL": 3 * 24 * 3600,  # seconds a push service keeps a message for a phone that is off
    "PUSH_TIMEOUT": 10,  # seconds to wait for the push service
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

    When ``user`` turned notifications on on some devices, each device also
    gets a push row with the event's short text (``push_text``), in the
    same transaction.
    """
    full_key = _key(f"{event}:{key}:{recipient.lower()}", event)
    # Copied and checked now (a missing variable is the caller's error), but
    # rendered by the delivery task: the family does not wait for it.
    context = build_context(event, context)
    context_json = context_to_json(context)
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
                render_input={"context": context_json, "template": list(template) if template else None},
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
    _enqueue_drain_on_commit()
    if user is not None:
        _push_rows(notification, context=context, context_json=context_json, user=user)
    return notification


def _key(full_key: str, event: str) -> str:
    if len(full_key) > 200:
        return f"{event}:{hashlib.sha256(full_key.encode()).hexdigest()}"
    return full_key


def _push_rows(notification: Notification, *, context: dict, context_json: dict, user) -> list[Notification]:
    """One push row per device of ``user``, beside the e-mail row, its text
    rendered by the delivery task like the e-mail's. Nothing is read when
    push is off; one query when it is on and the person has no device."""
    if notification.event in PUSH_EXCLUDED_EVENTS or not push.enabled() or not getattr(user, "is_active", False):
        return []
    devices = list(PushSubscription.objects.filter(user=user).only("pk"))
    if not devices:
        return []
    link = context.get("link") if isinstance(context.get("link"), str) else ""
    if not link.startswith(settings.SITE_URL.rstrip("/") + "/"):
        link = settings.SITE_URL.rstrip("/") + "/"  # a push opens a page of the portal, nothing else
    rows = []
    for device in devices:
        try:
            with transaction.atomic():
                row = Notification.objects.create(
                    key=_key(f"{notification.key}:push:{device.pk}", notification.event),
                    event=notification.event,
                    channel=Channel.PUSH,
                    push_subscription=device,
                    recipient=notification.recipient,
                    user=user,
                    family_id=notification.family_id,
                    content_type=notification.content_type,
                    object_id=notification.object_id,
                    subject=settings.WAGTAIL_SITE_NAME,
                    render_input={"context": context_json, "template": None},
                    link=link,
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:
            continue
        _enqueue_on_commit(row.pk)
        rows.append(row)
    return rows


def render_push_message(*, event: str, context: dict) -> tuple[str, str]:
    """(push text, problem with the editors' template), like ``render_message``:
    the editors' text when it renders, else the default. An editor's empty
    text means no push for the event."""
    template = MessageTemplate.objects.filter(event=event).only("push_text").first()
    problem = ""
    if template is not None:
        if not template.push_text.strip():
            return "", ""
        try:
            return rendering.render_push(template.push_text, context), ""
        except Exception as error:  # noqa: BLE001 - any failure of an editor's template falls back
            problem = str(rendering.problem_from(error))
            logger.warning("Push template for %s failed, default used: %s", event, problem)
    source = DEFAULT_PUSH_TEXTS.get(event, "")
    return (rendering.render_push(source, context) if source else ""), problem


_LOOK_UP = object()


def render_message(
    *, event: str, context: dict, override: tuple[str, str] | None = None, editor_template=_LOOK_UP
) -> tuple[str, str, str]:
    """(subject, body, problem with the editors' template). The ``override``
    (a procedure's own wording), then the editors' template of the event,
    is used when it renders; otherwise the next one is, and the problem is
    kept on the row for staff — a broken template never stops a message. A
    default that fails is a programming error and raises. ``editor_template``
    is the event's ``MessageTemplate`` (or None) when the caller read it
    already (a batch reads each event's once)."""
    problem = ""
    if override is not None:
        try:
            return rendering.render_subject(override[0], context), rendering.render(override[1], context), ""
        except Exception as error:  # noqa: BLE001 - any failure of an editor's template falls back
            problem = str(rendering.problem_from(error))
            logger.warning("Procedure message for %s failed, the event's template used: %s", event, problem)
    template = MessageTemplate.objects.filter(event=event).first() if editor_template is _LOOK_UP else editor_template
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
        MessageTemplate(event=event, subject=subject, body=body, push_text=DEFAULT_PUSH_TEXTS.get(event, ""))
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

    An e-mail taken by someone else may have been taken by a batch (a retry
    or a resend comes due while a drain runs): it then had this task *and* a
    place in that batch, and the batch left another row without one. This
    task drains a batch in its stead, so that the row it displaced goes now,
    not at the next sweep; when nothing is due that costs one SELECT and
    one UPDATE.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        if Notification.objects.filter(pk=notification_id, channel=Channel.EMAIL).exclude(
            status=Status.PENDING
        ).exists():
            notifications_deliver_batch()
        return False
    notification = Notification.objects.select_related("push_subscription").get(pk=notification_id)
    try:
        fields = _render(notification)
    except Exception as error:  # noqa: BLE001 - recorded, retried, then shown to staff
        _record_failure(notification, error)
        return False
    if notification.channel == Channel.PUSH and not notification.body_text:
        # The editors chose no push for this event: there is nothing to send.
        Notification.objects.filter(pk=notification_id).delete()
        return False
    return _send_claimed(notification, rendered=fields)


def notifications_deliver_batch(*, limit: int | None = None) -> list[int]:
    """Send up to ``limit`` due e-mails (``DELIVERY_BATCH``) over the worker's
    one SMTP connection; returns the ids sent.

    One statement claims them all (``_claim_batch``), so that several
    consumers draining at once never take the same row. Each message is
    marked sent as soon as the server took it, not at the end of the batch,
    in the one UPDATE that also stores its rendered text: a consumer killed
    mid-batch leaves one message at most in doubt, and the sweep sends the
    rest of its claimed rows again once their claim is old (rendered then,
    from the variables still on the row).
    """
    ids = _claim_batch(limit or _setting("DELIVERY_BATCH"))
    if not ids:
        return []
    rows = list(Notification.objects.filter(pk__in=ids).prefetch_related("attachments").order_by("pk"))
    events = {row.event for row in rows if row.render_input is not None}
    templates = {t.event: t for t in MessageTemplate.objects.filter(event__in=events)} if events else {}
    sent = []
    for row in rows:
        try:
            rendered = _render(row, editor_template=templates.get(row.event))
        except Exception as error:  # noqa: BLE001 - recorded, retried, then shown to staff
            _record_failure(row, error)
            continue
        if _send_claimed(row, rendered=rendered):
            sent.append(row.pk)
    return sent


def _claim_batch(limit: int) -> list[int]:
    """PENDING → SENDING for up to ``limit`` due e-mails, oldest first, in one
    UPDATE … RETURNING: atomic on SQLite (one writer at a time); on
    PostgreSQL the inner SELECT … FOR UPDATE SKIP LOCKED makes two workers
    claiming at the same instant take different rows instead of waiting for
    each other, and the outer ``status`` condition is checked again on the
    locked row.

    On PostgreSQL the inner SELECT is an ``ARRAY(…)``, not ``IN (…)``: a
    subquery under ``IN`` may be run again for each row the UPDATE visits,
    and each run, skipping the rows the previous ones locked, returns
    ``limit`` more — one task then claimed the whole outbox (seen with two
    consumers). ``ARRAY(…)`` is an init plan, run once."""
    now = timezone.now()
    quote, table = connection.ops.quote_name, connection.ops.quote_name(Notification._meta.db_table)
    status, channel, due, pk = quote("status"), quote("channel"), quote("next_attempt_at"), quote("id")
    due_rows = (
        f"SELECT {pk} FROM {table} WHERE {status} = %s AND {channel} = %s AND {due} <= %s ORDER BY {due}, {pk} LIMIT %s"
    )
    if connection.vendor == "postgresql":
        claimed = f"{pk} = ANY(ARRAY({due_rows} FOR UPDATE SKIP LOCKED))"
    else:
        claimed = f"{pk} IN ({due_rows})"
    sql = (
        f"UPDATE {table} SET {status} = %s, {quote('claimed_at')} = %s, {quote('attempts')} = {quote('attempts')} + 1 "
        f"WHERE {claimed} AND {status} = %s RETURNING {pk}"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [Status.SENDING, stamp, Status.PENDING, Channel.EMAIL, stamp, limit, Status.PENDING])
        return [row[0] for row in cursor.fetchall()]


def _render(notification: Notification, editor_template=_LOOK_UP) -> dict:
    """Render, once, the message of a row stored by ``notify()``: the fields
    to store on it (empty when it was rendered before — a retry). Set on
    ``notification`` too. A push row gets the event's short text, empty
    when the editors chose no push for the event."""
    data = notification.render_input
    if data is None:
        return {}
    context = context_from_json(data["context"])
    if notification.channel == Channel.PUSH:
        text, problem = render_push_message(event=notification.event, context=context)
        fields = {"body_text": text, "template_error": problem, "render_input": None}
        for name, value in fields.items():
            setattr(notification, name, value)
        return fields
    override = tuple(data["template"]) if data.get("template") else None
    subject, body, problem = render_message(
        event=notification.event, context=context, override=override, editor_template=editor_template
    )
    fields = {
        "subject": subject,
        "body_text": body,
        "body_html": rendering.html_from_text(body, subject),
        "template_error": problem,
        "render_input": None,  # the variables are not kept once the message exists
    }
    for name, value in fields.items():
        setattr(notification, name, value)
    return fields


def _send_claimed(notification: Notification, *, rendered: dict | None = None) -> bool:
    """Send a row this worker claimed; record the outcome on it, with the
    ``rendered`` fields (``_render``'s: the text it was sent with, or failed
    with, for staff to read) in the same UPDATE."""
    try:
        if notification.channel == Channel.PUSH:
            _send_push(notification)
        else:
            _send(_build_message(notification))
    except Exception as error:  # noqa: BLE001 - every failure is recorded and retried or shown to staff
        _record_failure(notification, error, rendered=rendered)
        return False
    sent = {**(rendered or {}), "status": Status.SENT, "sent_at": timezone.now(), "last_error": ""}
    if notification.event in SENSITIVE_EVENTS:
        sent.update(body_text="", body_html="")  # the one-time link or password is gone once delivered
    # Even if the sweep took the row back meanwhile: it was sent, do not send it again.
    Notification.objects.filter(pk=notification.pk).exclude(status=Status.SENT).update(**sent)
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


def _send_push(notification: Notification) -> None:
    device = notification.push_subscription
    if device is None:
        raise push.PushError("L'appareil a été retiré : rien à envoyer.", permanent=True)
    payload = {
        "title": notification.subject,
        "body": notification.body_text,
        "url": notification.link,
        # The same on a second copy (a consumer killed after the push
        # service took it): the phone replaces the first by the second.
        "tag": f"notification-{notification.pk}",
    }
    try:
        push.send(
            endpoint=device.endpoint,
            p256dh=device.p256dh,
            auth=device.auth,
            payload=payload,
            ttl=_setting("PUSH_TTL"),
            timeout=_setting("PUSH_TIMEOUT"),
        )
    except push.PushError as error:
        if error.gone:
            # The browser dropped the subscription (uninstalled, permission
            # withdrawn): the device goes, its rows stay without it.
            PushSubscription.objects.filter(pk=device.pk).delete()
            logger.info("Push subscription %s expired (%s): removed", device.pk, error.status)
        raise
    PushSubscription.objects.filter(pk=device.pk).update(last_success_at=timezone.now())


def _is_permanent(error: Exception) -> bool:
    """An SMTP 5xx for the recipient, the sender or the data will not get better by retrying;
    nor will a push the service refused for good or a device that is gone."""
    if isinstance(error, push.PushError):
        return error.permanent
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500
    return False


def retry_delay(attempts: int) -> int:
    return min(_setting("RETRY_BASE_DELAY") * 2 ** max(attempts - 1, 0), _setting("RETRY_MAX_DELAY"))


def _record_failure(notification: Notification, error: Exception, *, rendered: dict | None = None) -> None:
    last_error = f"{type(error).__name__}: {error}"[:2000]
    claim = Notification.objects.filter(pk=notification.pk, status=Status.SENDING)
    if _is_permanent(error) or notification.attempts >= _setting("MAX_ATTEMPTS"):
        claim.update(**(rendered or {}), status=Status.FAILED, last_error=last_error)
        logger.error("Notification %s failed for good: %s", notification.pk, last_error)
        return
    delay = retry_delay(notification.attempts)
    claim.update(
        **(rendered or {}),
        status=Status.PENDING,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=last_error,
    )
    logger.warning("Notification %s failed, retry in %s s: %s", notification.pk, delay, last_error)
    from .tasks import notification_deliver as task

    task.schedule(args=(notification.pk,), delay=delay)


class _DrainGroup:
    """The e-mails stored since the last commit on one connection, and how
    many of their ``on_commit`` callbacks have run (``_enqueue_drain_on_commit``)."""

    def __init__(self) -> None:
        self.ran = 0


class _DrainAfterCommit:
    """What one stored e-mail adds after the commit: a delivery task for
    the first e-mail of its group to run, then for every ``DELIVERY_BATCH``-th
    one — one task per batch instead of one per e-mail, most of which would
    find nothing left. Counted as the callbacks run, not as they were
    registered, so that an e-mail rolled back with a savepoint (its callback
    dropped) counts for nothing and the e-mails that stay always have a task
    per batch. Enough: each task claims a full batch while one is due, and
    the sweep is there if a task is lost; several consumers share them. A
    due row that has a task of its own (a retry, a resend) may take a place
    in a batch: its own task, finding it taken, drains a batch for the row
    it displaced (``notification_deliver``)."""

    __slots__ = ("group",)

    def __init__(self, group: _DrainGroup) -> None:
        self.group = group

    def __call__(self) -> None:
        from .tasks import notifications_drain as task

        index, self.group.ran = self.group.ran, self.group.ran + 1
        if index % _setting("DELIVERY_BATCH") == 0:
            task()


def _enqueue_drain_on_commit() -> None:
    """Deliver the e-mail just stored once the transaction commits. The
    connection's group lasts until its callbacks start running (the commit):
    the next e-mail then opens a new one."""
    connection = transaction.get_connection()
    group = getattr(connection, "_notifications_drain", None)
    if group is None or group.ran:
        group = connection._notifications_drain = _DrainGroup()
    # robust: if the queue is down the commit still stands; the sweep enqueues it later.
    transaction.on_commit(_DrainAfterCommit(group), robust=True)


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


# --- Devices: push notifications on and off ---------------------------------------------------


class PushSubscriptionError(ValueError):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def push_subscribe(*, user, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Turn push notifications on for the device that subscribed (its
    browser's ``PushSubscription``). Subscribing again updates the keys; a
    device another account had subscribed becomes this person's."""
    if not push.enabled():
        raise PushSubscriptionError(_("Les notifications ne sont pas disponibles sur ce portail."))
    endpoint = (endpoint or "").strip()
    if len(endpoint) > PushSubscription._meta.get_field("endpoint").max_length or not push.endpoint_allowed(endpoint):
        raise PushSubscriptionError(_("Ce service de notification n'est pas reconnu."))
    if not push.keys_valid(p256dh=p256dh, auth=auth):
        raise PushSubscriptionError(_("Les clés de cet appareil ne sont pas valides."))
    user_agent = (user_agent or "")[:300]
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh.strip(),
            "auth": auth.strip(),
            "user_agent": user_agent,
            "label": device_label(user_agent),
        },
    )
    return subscription


def push_unsubscribe(*, user, endpoint: str = "", subscription_id: int | None = None) -> int:
    """Turn push notifications off for one of this person's devices, named by
    its endpoint (from the device itself) or its id (from the list of
    devices). Returns how many were removed: 0 for someone else's."""
    devices = PushSubscription.objects.filter(user=user)
    if subscription_id is not None:
        devices = devices.filter(pk=subscription_id)
    elif endpoint:
        devices = devices.filter(endpoint=endpoint.strip())
    else:
        return 0
    deleted, _per_model = devices.delete()
    return deleted


def push_subscriptions_remove(*, user) -> int:
    """Every device of this person (an account closed or erased)."""
    deleted, _per_model = PushSubscription.objects.filter(user=user).delete()
    return deleted


def device_label(user_agent: str) -> str:
    """« Chrome sur Android », « Safari sur iPhone »: enough for a person to
    tell their devices apart in « Mon compte »."""
    ua = user_agent or ""
    browsers = (("EdgA/", "Edge"), ("Edg/", "Edge"), ("SamsungBrowser", "Samsung Internet"), ("Firefox/", "Firefox"),
                ("FxiOS", "Firefox"), ("CriOS", "Chrome"), ("Chrome/", "Chrome"),
                ("Safari/", "Safari"))
    systems = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
               ("Macintosh", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))
    browser = next((name for marker, name in browsers if marker in ua), "")
    system = next((name for marker, name in systems if marker in ua), "")
    if browser and system:
        return _("%(browser)s sur %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Appareil")
