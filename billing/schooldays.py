"""The school days of a school year: the days between the first and the
last day of class, on the weekdays with school, less the editors' holidays
and days off, less the public holidays of Martinique.

Public holidays come from the maintained ``holidays`` package (France,
subdivision 972: it knows 22 May, the abolition of slavery in Martinique,
and moves Easter, Ascension and Whit Monday every year) rather than from a
hand-written list.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

MARTINIQUE = "972"


@lru_cache(maxsize=32)
def public_holidays(year: int) -> dict[dt.date, str]:
    """The public holidays of Martinique in ``year``, named in French."""
    return dict(holidays.country_holidays("FR", subdiv=MARTINIQUE, years=year, language="fr"))


def is_public_holiday(day: dt.date) -> bool:
    return day in public_holidays(day.year)


def school_days(*, first_day: dt.date, last_day: dt.date, weekdays: set[int],
                closures: list[tuple[dt.date, dt.date]]) -> list[dt.date]:
    """Every day of class from ``first_day`` to ``last_day`` (both included)."""
    days, day = [], first_day
    while day <= last_day:
        if (day.weekday() in weekdays and not is_public_holiday(day)
                and not any(start <= day <= end for start, end in closures)):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def calendar_school_days(calendar) -> list[dt.date]:
    """The school days of a ``SchoolCalendar`` (its closures prefetched or not)."""
    return school_days(first_day=calendar.first_day, last_day=calendar.last_day, weekdays=calendar.weekdays,
                       closures=[(c.first_day, c.end) for c in calendar.closures.all()])


def in_month(days: list[dt.date], month: dt.date) -> list[dt.date]:
    return [day for day in days if (day.year, day.month) == (month.year, month.month)]
