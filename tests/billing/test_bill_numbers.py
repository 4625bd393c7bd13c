"""Bill numbers taken at the same moment by two workers, each on its own
database connection: no number is given twice and none is skipped. Runs on
SQLite (IMMEDIATE transactions serialise writers) and on PostgreSQL (the
year's counter row locked with SELECT … FOR UPDATE)."""

import pytest
from django.db import transaction

from billing import services
from tests.workflows.test_concurrency import TRIALS, race


@pytest.mark.django_db(transaction=True)
def test_two_workers_take_bill_numbers_at_once_without_gap_or_duplicate():
    taken: list[str] = []

    def take():
        with transaction.atomic():
            taken.extend(services.bill_numbers_take(year=2027, count=3))

    for _ in range(TRIALS):
        outcomes = race(take, take)
        assert outcomes == ["done", "done"], outcomes
    assert len(taken) == len(set(taken)) == 6 * TRIALS
    assert sorted(taken) == [f"F2027-{n:06d}" for n in range(1, 6 * TRIALS + 1)]
