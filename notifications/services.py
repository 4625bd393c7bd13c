from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks

from .constants import Event, Status
from .defaults import DEFAULT_TEMPLATES
from .models import Notification
from .rendering import render


def notify(*, event: Event, recipient: str, key: str, context: dict, user=None) -> Notification:
    """Store the message for ``event`` in the outbox and deliver it after the
    current transaction commits. ``key`` identifies the event: notifying the
    same key twice stores and sends one message."""
    subject_source, body_source = DEFAULT_TEMPLATES[event]
    body = render(body_source, context)
    notification, created = Notification.objects.get_or_create(
        key=f"{event}:{key}:{recipient.lower()}",
        defaults={
            "event": event,
            "recipient": recipient,
            "user": user,
            "subject": render(subject_source, context).strip(),
            "body_text": body,
            "body_html": linebreaks(body, autoescape=True),
        },
    )
    if created:
        from .tasks import notification_deliver

        transaction.on_commit(lambda: notification_deliver(notification.pk))
    return notification


def notification_deliver(*, notification_id: int) -> bool:
    """Send one outbox message. The row is claimed atomically first, so two
    workers never send it both; returns whether this call sent it."""
    claimed = Notification.objects.filter(pk=notification_id, status=Status.PENDING).update(
        status=Status.SENDING, claimed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.get(pk=notification_id)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"Message-ID": notification.message_id},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    try:
        message.send()
    except Exception as error:
        Notification.objects.filter(pk=notification_id).update(
            status=Status.PENDING, attempts=notification.attempts + 1, last_error=str(error)[:2000]
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        status=Status.SENT, attempts=notification.attempts + 1, sent_at=timezone.now(), last_error=""
    )
    return True
