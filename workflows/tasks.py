from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_periodic_task(crontab(minute="0", hour="12"))  # 08:00 in Martinique (Huey runs in UTC)
def dossiers_remind_waiting() -> None:
    """Daily: tell directors which dossiers wait too long. Safe to run twice:
    each dossier is claimed by a conditional update before it is flagged."""
    services.dossiers_remind_waiting()


@db_task(retries=2, retry_delay=30)
def dossier_export_build(export_id: int) -> None:
    """Build one export's spreadsheet; a finished export is left alone."""
    services.dossier_export_build(export_id=export_id)
