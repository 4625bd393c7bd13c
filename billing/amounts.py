"""The money rule: what a child's services cost in a month.

One place computes every amount, from the planned days and the prices —
never typed by staff. Amounts are ``Decimal`` rounded to the cent once per
line (quantity × unit price, exact for prices to the cent), and a total is
the sum of its lines.

The planned days follow from the family's answers: a service bound to a
question is planned on the weekdays that answer names (« Lundi »,
« Mardi »… in a multiple choice, or written in a single choice), or on
every school day for a « oui »; a service with no question is planned on
every school day. A service priced per month is due once for each month of
school in which it is planned.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

from .constants import ServiceUnit

CENT = Decimal("0.01")
ALL_WEEKDAYS = frozenset(range(7))
WEEKDAY_NAMES = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAY_NAMES) + r")\b")


def to_cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def weekdays_named(text: str) -> set[int]:
    """The weekdays written in ``text`` (« Lundi et jeudi » → {0, 3})."""
    return {WEEKDAY_NAMES[name] for name in _WEEKDAY.findall(_plain(text))}


def chosen_weekdays(*, question: str, answers: dict[str, Any]) -> frozenset[int]:
    """The weekdays the answers plan a service on: all of them when it has
    no question, none when its question was not answered (or answered
    « non »)."""
    if not question:
        return ALL_WEEKDAYS
    answer = answers.get(question)
    if answer is True:
        return ALL_WEEKDAYS
    if isinstance(answer, str):
        return frozenset(weekdays_named(answer))
    if isinstance(answer, (list, tuple)):
        found: set[int] = set()
        for item in answer:
            if isinstance(item, str):
                found |= weekdays_named(item)
        return frozenset(found)
    return frozenset()


def planned_days(*, weekdays: frozenset[int], school_days: Iterable[dt.date]) -> list[dt.date]:
    return [day for day in school_days if day.weekday() in weekdays]


@dataclass(frozen=True)
class Bracket:
    qf_from: Decimal
    price: Decimal
    is_default: bool = False


def unit_price(*, price: Decimal | None, brackets: list[Bracket], quotient: Decimal | None) -> Decimal:
    """A service's unit price: its one price, or the price of the bracket
    the family's quotient falls in (the highest ``qf_from`` not above it);
    without a validated quotient, the default bracket's."""
    if not brackets:
        if price is None:
            raise ValueError("a service has a price or brackets")
        return price
    ordered = sorted(brackets, key=lambda b: b.qf_from)
    if quotient is None:
        return next((b.price for b in ordered if b.is_default), ordered[-1].price)
    chosen = ordered[0]
    for bracket in ordered:
        if bracket.qf_from <= quotient:
            chosen = bracket
    return chosen.price


@dataclass(frozen=True)
class Line:
    """One service of one child in one month."""

    child: str
    service: str
    unit: str
    quantity: int
    unit_price: Decimal
    days: tuple[dt.date, ...] = ()
    # The service's kind (``constants.Service``) and, for a credit, the
    # dossier it is for: what the attestation fiscale reads on the bill
    # lines. Not part of a line's value (two lines compare by their money).
    kind: str = field(default="", compare=False)
    dossier_id: int | None = field(default=None, compare=False)

    @property
    def amount(self) -> Decimal:
        return to_cent(self.unit_price * self.quantity)


@dataclass(frozen=True)
class Statement:
    """What a family owes for a month of consumption."""

    month: dt.date
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def quantity(*, unit: str, days: list[dt.date]) -> int:
    """Meals and sessions count the planned days; a month counts once if
    the service is planned at all that month."""
    if unit == ServiceUnit.MONTH:
        return 1 if days else 0
    return len(days)
