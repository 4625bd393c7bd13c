"""The 20th-of-the-previous-month rule, with its edge cases pinned."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from billing.deadlines import due_date, due_deadline, is_on_time, local_today, reminder_dates

MQ = ZoneInfo("America/Martinique")
UTC = dt.timezone.utc


@pytest.mark.parametrize(
    "month, due",
    [
        (dt.date(2026, 10, 1), dt.date(2026, 9, 20)),
        (dt.date(2026, 10, 31), dt.date(2026, 9, 20)),  # any day of the month
        (dt.date(2027, 3, 1), dt.date(2027, 2, 20)),  # consumption after a short February
        (dt.date(2028, 3, 1), dt.date(2028, 2, 20)),  # leap year
        (dt.date(2027, 4, 1), dt.date(2027, 3, 20)),  # the month after a short February
        (dt.date(2027, 1, 1), dt.date(2026, 12, 20)),  # January's consumption is due in December
    ],
)
def test_due_date_is_the_20th_of_the_month_before(month, due):
    assert due_date(month) == due


def test_a_due_date_on_a_weekend_stays_the_20th():
    # 20 February 2027 is a Saturday; 20 June 2027 a Sunday.
    assert due_date(dt.date(2027, 3, 1)) == dt.date(2027, 2, 20)
    assert dt.date(2027, 2, 20).weekday() == 5
    assert due_date(dt.date(2027, 7, 1)) == dt.date(2027, 6, 20)
    assert dt.date(2027, 6, 20).weekday() == 6


def test_a_payment_at_2359_on_the_20th_in_martinique_is_on_time():
    paid = dt.datetime(2026, 12, 20, 23, 59, tzinfo=MQ)
    assert paid.astimezone(UTC).date() == dt.date(2026, 12, 21)  # already the 21st in UTC
    assert is_on_time(paid, dt.date(2027, 1, 1))
    assert local_today(paid.astimezone(UTC)) == dt.date(2026, 12, 20)


def test_a_payment_at_midnight_on_the_21st_is_late():
    assert not is_on_time(dt.datetime(2026, 12, 21, 0, 0, tzinfo=MQ), dt.date(2027, 1, 1))
    assert due_deadline(dt.date(2027, 1, 1)) == dt.datetime(2026, 12, 21, tzinfo=MQ)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        is_on_time(dt.datetime(2026, 12, 20, 12, 0), dt.date(2027, 1, 1))


def test_reminders_go_out_7_days_and_1_day_before():
    assert reminder_dates(dt.date(2027, 1, 1)) == [dt.date(2026, 12, 13), dt.date(2026, 12, 19)]
    assert reminder_dates(dt.date(2027, 3, 1)) == [dt.date(2027, 2, 13), dt.date(2027, 2, 19)]
