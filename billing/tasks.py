from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import deadlines, services


@db_periodic_task(crontab(minute="0", hour="11"))  # 07:00 in Martinique (Huey runs in UTC)
def payments_remind() -> None:
    """Daily: remind families 7 days and 1 day before the due date. Safe to
    run twice: each reminder has its own notification key."""
    services.payments_send_reminders()
    services.bills_send_reminders()


@db_periodic_task(crontab(minute="30", hour="4"))  # 00:30 in Martinique, once the due date is over
def payments_flag_overdue() -> None:
    """Daily: flag dossiers still unpaid after their due date. Safe to run
    twice: each arrangement is claimed by a conditional update."""
    services.payments_flag_overdue()
    services.bills_flag_overdue()


@db_periodic_task(crontab(minute="45", hour="7"))  # 03:45 in Martinique
def mandates_erase() -> None:
    """Daily: erase the account details of mandates ended with their dossier
    or account once their last debit can no longer come back. Safe to run
    twice: an erased mandate is not selected again."""
    services.mandates_erase()


@db_periodic_task(crontab(day="21", minute="0", hour="10"))  # 06:00 in Martinique on the 21st
def bills_issue_next_month() -> None:
    """Monthly, the day after the cut-off: each family's bill for the first
    month still open to reservations (due by its own cut-off, a month
    later), with the regularisation of the month just locked. Safe to run
    twice: a family whose bill exists is skipped."""
    now = timezone.now()
    services.bills_issue(month=deadlines.first_open_month(now), now=now)
