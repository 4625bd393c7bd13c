"""Sign-in throttling with django-axes, on two budgets.

``AXES_LOCKOUT_PARAMETERS`` counts failures per address *and* machine (five
wrong passwords lock that pair out) and per machine across addresses (a
password tried on one address after another: ``LOGIN_IP_FAILURE_LIMIT``
failures lock the machine out). django-axes compares the larger of its
counts with one limit, ``AXES_FAILURE_LIMIT``; this handler weighs the
machine's count so that ``LOGIN_IP_FAILURE_LIMIT`` of its failures reach
it. A successful sign-in clears the failures of that address from that
machine only: one good password must not refill the budget of a machine
that tried many addresses.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class TwoBudgetsHandler(AxesDatabaseHandler):
    """The per-address-and-machine count, or the machine's count weighed
    (``AXES_LOCKOUT_PARAMETERS`` lists the pair first, the machine second)."""

    def counts(self, request, credentials: dict | None = None) -> tuple[int, int]:
        pair, machine = self.get_user_attempts(request, credentials)
        return _failures(pair), _failures(machine)

    def get_failures(self, request, credentials: dict | None = None) -> float:
        pair, machine = self.counts(request, credentials)
        return max(pair, machine * settings.AXES_FAILURE_LIMIT / settings.LOGIN_IP_FAILURE_LIMIT)

    def machine_locked_out(self, request, credentials: dict | None = None) -> bool:
        """Whether the machine's budget, rather than the address's, is spent."""
        pair, machine = self.counts(request, credentials)
        return machine >= settings.LOGIN_IP_FAILURE_LIMIT and pair < settings.AXES_FAILURE_LIMIT

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count
