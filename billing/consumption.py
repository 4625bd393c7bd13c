"""What a family actually consumes in a month, as bills read it: the days
of each child's services, the credits of the month and the family's
quotient familial.

A seam: for now the planned days are what the answers plan, there are no
credits and no validated quotient (the default bracket applies).
Reservations, credited absences and validated CAF attestations fill these
in, with the same signatures; the money rule (``billing.amounts``) and bill
building (``billing.services.bills_issue``) only call them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from . import amounts


def month_days(*, dossier, service, month: dt.date, planned: list[dt.date]) -> list[dt.date]:
    """The days ``dossier``'s child consumes ``service`` in ``month``, given
    the days its answers plan."""
    return planned


def month_credits(*, family, month: dt.date) -> list[amounts.Line]:
    """What is credited on ``family``'s bill for ``month`` (absences the
    rules allow, of the months before). Each line's amount is taken off the
    bill."""
    return []


def family_quotient(*, family, month: dt.date) -> Decimal | None:
    """The quotient familial that prices ``family``'s bill for ``month``;
    ``None`` until one is validated (the default bracket applies)."""
    return None
