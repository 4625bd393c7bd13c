from huey.contrib.djhuey import db_task

from . import services


@db_task(retries=5, retry_delay=60)
def notification_deliver(notification_id: int) -> None:
    """Deliver one outbox row; safe to run twice (the row is claimed first)."""
    services.notification_deliver(notification_id=notification_id)
