from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def notification_deliver(notification_id: int) -> None:
    """Deliver one outbox row. Safe to run twice, or never: the row, not this
    task, holds the state. The service claims the row before sending, so a
    duplicate task sends nothing; a task lost with its consumer is
    re-enqueued by the sweep. No Huey retries: the service schedules its own,
    with exponential backoff recorded on the row."""
    services.notification_deliver(notification_id=notification_id)


@db_task()
def notifications_drain() -> None:
    """Send a batch of due e-mails over one SMTP connection. Enqueued once
    per batch of e-mails a transaction stores; a task that finds them taken
    by another consumer returns at once. The claim, not the task, decides
    who sends: two consumers never send one row."""
    services.notifications_deliver_batch()


@db_periodic_task(crontab(minute="*"))
def notifications_sweep() -> None:
    """Every minute: re-enqueue the rows a dead consumer or a lost task left
    pending or half-sent."""
    services.notifications_sweep()
