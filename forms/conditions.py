"""Conditions — the one evaluator of the portal: what a question, a step of
a form or a stage of a procedure is shown or run for. The browser runs the
same rules for comfort (``forms/static/forms/conditions.js``, kept equal by
a property test that feeds both the same random answers); the server's
answer is the truth.

A condition is ``{"match": "all" | "any", "clauses": [clause, …]}``; a
clause is ``{"field": <question name>, "op": <operator>, "value": "…",
"value2": "…"}``. Operators: ``equals``, ``not_equals``, ``filled``, and
for numbers and dates ``greater``, ``less``, ``between`` (both ends
included). Definitions written before clauses existed hold one clause
alone (``{"field", "op", "value"}``): it reads as ``all`` of it.

Answers compare as words: a yes/no answer is « oui » or « non », a choice
its text, spaces folded and case ignored; numbers and dates compare by
value — « 3,5 » and « 3.5 » are one number, « 14/03/2023 » and
« 2023-03-14 » one date — and a clause on a number or a date that the
answer is not never holds.
"""

from __future__ import annotations

import re
from typing import Any

from .constants import ConditionOperator

# ASCII digits only, as in the browser (Python's \d also takes « ٣ » and other scripts' digits).
NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$", re.ASCII)
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)
COMPARISONS = {ConditionOperator.GREATER, ConditionOperator.LESS, ConditionOperator.BETWEEN}


def norm(value: Any) -> str:
    return " ".join(str(value).split()).lower()


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def answer_tokens(value: Any) -> list[str]:
    """An answer as the words a condition compares."""
    if is_empty(value):
        return []
    if isinstance(value, bool):
        return ["oui" if value else "non"]
    if isinstance(value, list):
        return [norm(v) for v in value if not isinstance(v, dict)]
    return [norm(value)]


def clauses_of(condition: dict | None) -> tuple[str, list[dict]]:
    """(« all » or « any », the clauses) of a condition, old or new."""
    if not condition:
        return "all", []
    if "clauses" in condition:
        return condition.get("match") or "all", [c for c in condition["clauses"] if c and c.get("field")]
    return "all", [condition] if condition.get("field") else []


def fields_of(condition: dict | None) -> list[str]:
    """The questions a condition names."""
    return [clause["field"] for clause in clauses_of(condition)[1]]


# --- Numbers and dates, compared exactly (the browser does the same with strings) ----------------


def comparable(text: str) -> tuple[str, tuple] | None:
    """(« n », key) for a number, (« d », key) for a date, else None. Keys
    compare as the values do, without floating point."""
    text = "".join(str(text).split())
    date = ISO_DATE.match(text)
    if date:
        return "d", (int(date[1]), int(date[2]), int(date[3]))
    date = FRENCH_DATE.match(text)
    if date:
        return "d", (int(date[3]), int(date[2]), int(date[1]))
    if NUMBER.match(text):
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-").replace(",", ".")
        whole, _dot, fraction = digits.partition(".")
        whole, fraction = whole.lstrip("0"), fraction.rstrip("0")
        if not whole and not fraction:
            sign = 1  # zero has no sign
        return "n", (sign, whole, fraction)
    return None


def _compare(a: tuple[str, tuple], b: tuple[str, tuple]) -> int:
    """-1, 0 or 1; both of one kind."""
    if a[0] == "d":
        return (a[1] > b[1]) - (a[1] < b[1])
    (sa, wa, fa), (sb, wb, fb) = a[1], b[1]
    if sa != sb:
        return 1 if sa > sb else -1
    magnitude = (len(wa) > len(wb)) - (len(wa) < len(wb)) or (wa > wb) - (wa < wb)
    if not magnitude:
        length = max(len(fa), len(fb))
        fa, fb = fa.ljust(length, "0"), fb.ljust(length, "0")
        magnitude = (fa > fb) - (fa < fb)
    return magnitude * sa


def clause_met(clause: dict, tokens: list[str]) -> bool:
    op = clause.get("op") or ConditionOperator.EQUALS
    if op == ConditionOperator.FILLED:
        return bool(tokens)
    if op in COMPARISONS:
        low = comparable(clause.get("value", ""))
        high = comparable(clause.get("value2", "")) if op == ConditionOperator.BETWEEN else None
        if low is None or (op == ConditionOperator.BETWEEN and (high is None or high[0] != low[0])):
            return False
        for token in tokens:
            found = comparable(token)
            if found is None or found[0] != low[0]:
                continue
            if op == ConditionOperator.GREATER and _compare(found, low) > 0:
                return True
            if op == ConditionOperator.LESS and _compare(found, low) < 0:
                return True
            if op == ConditionOperator.BETWEEN and _compare(found, low) >= 0 and _compare(found, high) <= 0:
                return True
        return False
    expected = norm(clause.get("value", ""))
    if op == ConditionOperator.NOT_EQUALS:
        return expected not in tokens
    return expected in tokens


def condition_met(condition: dict | None, answers: dict[str, Any]) -> bool:
    """Whether ``condition`` holds for these answers (no condition: it does)."""
    match, clauses = clauses_of(condition)
    if not clauses:
        return True
    results = (clause_met(clause, answer_tokens(answers.get(clause["field"]))) for clause in clauses)
    return any(results) if match == "any" else all(results)
