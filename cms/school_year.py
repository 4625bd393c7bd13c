"""The school year — one rule, imported by every app that needs it.

Enrolment for a school year opens in spring: from March on, a dossier is
for the school year that starts that September (« 2026-2027 »). A school
year runs from 1 September to 31 August; its months of school (what a
family consumes and pays for) are September to June.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

# « 2026-2027 », « 2020 - 2021 », « 2026/2027 », « 2026–2027 »
SCHOOL_YEAR = re.compile(r"(?<!\d)(\d{4})(\s*[-–/]\s*)(\d{4})(?!\d)")
# Enrolment for next September opens in this month.
ENROLMENT_OPENS_IN = 3
# The months of school: September to June.
SCHOOL_MONTHS = 10


def school_year_of(moment: dt.datetime | dt.date | None = None) -> str:
    """The school year a dossier filed at ``moment`` (Martinique time; now
    by default) is for."""
    if moment is None:
        moment = timezone.now()
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    start = moment.year if moment.month >= ENROLMENT_OPENS_IN else moment.year - 1
    return f"{start}-{start + 1}"


def school_year_start(school_year: str) -> int:
    """The calendar year of its September: 2026 for « 2026-2027 »."""
    return int(school_year[:4])


def school_year_end(school_year: str) -> dt.date:
    """Its last day: 31 August."""
    return dt.date(school_year_start(school_year) + 1, 8, 31)


# Until then a confirmation wishes « une belle rentrée »; after, the year is
# under way (a December confirmation wishes a good school year instead).
RENTREE_WISHES_UNTIL = (9, 15)


def before_rentree(school_year: str, today: dt.date | None = None) -> bool:
    """Whether the school year's first weeks are still ahead (or under way)."""
    today = today or timezone.localdate()
    month, day = RENTREE_WISHES_UNTIL
    return today <= dt.date(school_year_start(school_year), month, day)


def school_year_months(school_year: str) -> list[dt.date]:
    """The first day of each month of school, September to June."""
    months, month = [], dt.date(school_year_start(school_year), 9, 1)
    for _ in range(SCHOOL_MONTHS):
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def next_school_year_text(text: str) -> str:
    """Move every school year written in ``text`` one year forward."""

    def shift(match: re.Match) -> str:
        first, separator, second = int(match[1]), match[2], int(match[3])
        if second != first + 1:
            return match[0]
        return f"{first + 1}{separator}{second + 1}"

    return SCHOOL_YEAR.sub(shift, text)


# Keys of a StreamField's stored blocks that identify, never read: a block's
# id and type, and a question's technical name (re-enrolment finds last
# year's answers by it).
TECHNICAL_KEYS = frozenset({"id", "type", "name"})


def next_school_year_in_blocks(value):
    """``value`` (a StreamField's raw data, or any part of it) with the
    school years of its texts — rich text, help blocks, labels — moved on."""
    if isinstance(value, str):
        return next_school_year_text(value)
    if isinstance(value, dict):
        return {key: item if key in TECHNICAL_KEYS else next_school_year_in_blocks(item) for key, item in value.items()}
    if isinstance(value, list):
        return [next_school_year_in_blocks(item) for item in value]
    return value


def plus_one_year(day: dt.date | dt.datetime):
    """The same day a year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
