from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_periodic_task(crontab(minute="0", hour="11"))  # 07:00 in Martinique (Huey runs in UTC)
def payments_remind() -> None:
    """Daily: remind families 7 days and 1 day before the due date. Safe to
    run twice: each reminder has its own notification key."""
    services.payments_send_reminders()


@db_periodic_task(crontab(minute="30", hour="4"))  # 00:30 in Martinique, once the due date is over
def payments_flag_overdue() -> None:
    """Daily: flag dossiers still unpaid after their due date. Safe to run
    twice: each arrangement is claimed by a conditional update."""
    services.payments_flag_overdue()


@db_task(retries=3, retry_delay=60)
def attestation_generate(dossier_id: int) -> None:
    """Make the attestation of a confirmed dossier and send the confirmation
    with it. Takes the id: the dossier is read fresh, and a second run finds
    the attestation made and the confirmation sent."""
    services.attestation_deliver(dossier_id=dossier_id)


@db_periodic_task(crontab(minute="*/15"))
def attestations_sweep() -> None:
    """Every quarter of an hour: confirmations that a lost or failed
    attestation task left unsent go out (with the attestation when it can be
    made, without it otherwise)."""
    services.attestations_sweep()
