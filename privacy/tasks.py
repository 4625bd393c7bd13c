from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="30", hour="7"))  # 03:30 in Martinique
def retention_apply() -> None:
    """Nightly: remove what is past its retention period. Safe to run twice:
    what was removed is no longer selected."""
    services.retention_apply()
