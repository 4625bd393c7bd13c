"""The payment calendar of the school's rules: « Votre règlement doit
intervenir au plus tard le 20 du mois précédent le mois de consommation. »

Dates are computed, never typed, in Martinique's time: a payment recorded at
23:59 on the 20th in Fort-de-France is on time, although it is already the
21st in UTC. The 20th stays the due date when it falls on a weekend: the rule
says « au plus tard », and card and direct debit work every day; reminders
leave enough room for the cash desk.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

DUE_DAY = 20
REMINDER_DAYS_BEFORE = (7, 1)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    month = first_of_month(month)
    return (month - dt.timedelta(days=1)).replace(day=1)


def next_month(month: dt.date) -> dt.date:
    month = first_of_month(month)
    return (month + dt.timedelta(days=32)).replace(day=1)


def due_date(consumption_month: dt.date) -> dt.date:
    """The last day to pay for ``consumption_month`` (any day of that month):
    the 20th of the month before."""
    return previous_month(consumption_month).replace(day=DUE_DAY)


def due_deadline(consumption_month: dt.date) -> dt.datetime:
    """The first instant that is too late: midnight ending the due date,
    in Martinique's time."""
    day_after = due_date(consumption_month) + dt.timedelta(days=1)
    return dt.datetime.combine(day_after, dt.time.min, tzinfo=local_zone())


def is_on_time(paid_at: dt.datetime, consumption_month: dt.date) -> bool:
    if paid_at.tzinfo is None:
        raise ValueError("paid_at must be an aware datetime")
    return paid_at < due_deadline(consumption_month)


def reminder_dates(consumption_month: dt.date) -> list[dt.date]:
    due = due_date(consumption_month)
    return [due - dt.timedelta(days=days) for days in REMINDER_DAYS_BEFORE]


def is_locked(month: dt.date, now: dt.datetime) -> bool:
    """Whether ``month``'s reservations are locked at ``now``: its cut-off
    (its due date) has passed."""
    return now >= due_deadline(month)


def first_open_month(now: dt.datetime) -> dt.date:
    """The first month whose cut-off has not passed at ``now``: still open
    to reservations, and the month whose bills go out on the 21st (the day
    after the month before it locked)."""
    month = first_of_month(local_today(now))
    while is_locked(month, now):
        month = next_month(month)
    return month


def first_unbilled_month(now: dt.datetime) -> dt.date:
    """The month of the next bill not yet issued at ``now``: the first open
    month's bill went out the day after the previous cut-off."""
    return next_month(first_open_month(now))


def local_today(now: dt.datetime) -> dt.date:
    return now.astimezone(local_zone()).date()
