from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_periodic_task(crontab(minute="0", hour="12"))  # 08:00 in Martinique (Huey runs in UTC)
def dossiers_remind_waiting() -> None:
    """Daily: tell directors which dossiers wait too long. Safe to run twice:
    each dossier is claimed by a conditional update before it is flagged."""
    services.dossiers_remind_waiting()


@db_periodic_task(crontab(minute="0", hour="11"))  # 07:00 in Martinique (Huey runs in UTC)
def dossiers_send_digest() -> None:
    """Daily: yesterday's new dossiers, for the directors who chose a
    morning summary. Safe to run twice: one message per school, director
    and day (the outbox's key)."""
    services.dossiers_send_digest()


@db_task(retries=2, retry_delay=30)
def dossier_export_build(export_id: int) -> None:
    """Build one export's spreadsheet; a finished export is left alone."""
    services.dossier_export_build(export_id=export_id)


@db_task(retries=3, retry_delay=60)
def dossier_confirmation_send(dossier_id: int) -> None:
    """Make the attestation of a confirmed dossier and send the confirmation
    with it. Takes the id: the dossier is read fresh, and a second run finds
    the attestation made and the confirmation sent."""
    services.dossier_confirmation_send(dossier_id=dossier_id)


@db_periodic_task(crontab(minute="*/15"))
def dossier_confirmations_sweep() -> None:
    """Every quarter of an hour: confirmations that a lost or failed task
    left unsent go out (with the attestation when it can be made, without
    it otherwise)."""
    services.dossier_confirmations_sweep()
