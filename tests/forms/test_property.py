"""Property: for random form definitions and random answers, through HTTP,
the portal never answers 500; valid answers round-trip exactly (typed);
invalid ones are refused with a message next to the field and change
nothing; hidden questions are neither checked nor kept; an unknown field
refuses the whole POST."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.models import Child
from forms.definition import definition_problems
from forms.models import Submission
from tests.forms.conftest import _q, _step, make_page

CHOICES = ["Alpha", "Bêta", "Gamma, delta", "Oméga"]
TYPES = ["text", "textarea", "email", "phone", "date", "number", "decimal", "choice", "select", "multichoice",
         "yesno", "postal_code", "consent", "group"]
MEMBER_TYPES = ["text", "email", "phone", "date", "number", "choice", "yesno", "postal_code"]
LOW, HIGH = dt.date(2015, 1, 1), dt.date(2024, 12, 31)
counter = itertools.count()

text_values = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
).map(str.strip).filter(bool)


def item_for(kind: str, name: str, required: bool) -> dict:
    """A question of the definition, as the builder compiles it."""
    base = {"name": name, "label": f"Question {name}", "help_text": "", "required": required, "prefill": "",
            "condition": None}
    if kind == "decimal":
        return {**base, "type": "number", "min_value": -1000, "max_value": 1000, "decimal_places": 2}
    if kind == "number":
        return {**base, "type": "number", "min_value": 0, "max_value": 50, "decimal_places": 0}
    if kind == "date":
        return {**base, "type": "date", "min_date": LOW.isoformat(), "max_date": HIGH.isoformat()}
    if kind in ("choice", "select"):
        return {**base, "type": "choice", "choices": CHOICES, "widget": "select" if kind == "select" else "radio"}
    if kind == "multichoice":
        return {**base, "type": "multichoice", "choices": CHOICES}
    return {**base, "type": kind}


@st.composite
def valid_answer(draw, item):
    """(what the browser sends, what must be stored)."""
    kind = item["type"]
    if kind in ("text", "textarea"):
        value = draw(text_values)
        return value, value
    if kind == "email":
        value = draw(st.from_regex(r"[a-z][a-z0-9]{0,9}@[a-z]{2,10}\.(fr|org|com)", fullmatch=True))
        return value, value
    if kind == "phone":
        digits = "0" + draw(st.from_regex(r"[1-9][0-9]{8}", fullmatch=True))
        return digits, " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    if kind == "date":
        value = draw(st.dates(LOW, HIGH)).isoformat()
        return value, value
    if kind == "number" and item["decimal_places"]:
        value = draw(st.decimals(-1000, 1000, places=2, allow_nan=False, allow_infinity=False))
        return str(value), str(Decimal(str(value)))
    if kind == "number":
        value = draw(st.integers(0, 50))
        return str(value), value
    if kind == "choice":
        value = draw(st.sampled_from(CHOICES))
        return value, value
    if kind == "multichoice":
        values = draw(st.lists(st.sampled_from(CHOICES), min_size=1, unique=True))
        return values, [c for c in CHOICES if c in values]
    if kind == "yesno":
        value = draw(st.booleans())
        return ("oui" if value else "non"), value
    if kind == "postal_code":
        value = draw(st.from_regex(r"97[2-4][0-9]{2}", fullmatch=True))
        return value, value
    if kind == "consent":
        return "on", True
    raise AssertionError(kind)


def invalid_answer(item):
    return {
        "text": "x" * 300, "textarea": "y" * 5001, "email": "pas-une-adresse", "phone": "12345",
        "date": "2010-02-31", "number": "beaucoup", "choice": "Inexistant", "multichoice": ["Inexistant"],
        "yesno": "peut-être", "postal_code": "123",
    }.get(item["type"])


@st.composite
def scenario(draw):
    """A definition and, per question, a valid or invalid answer, or none."""
    names = (f"q{next(counter)}_{i}" for i in itertools.count())
    steps, plan, deciders = [], {}, []
    for s in range(draw(st.integers(1, 3))):
        items = []
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(TYPES))
            name = next(names)
            if kind == "group":
                members = [item_for(k, f"m{i}", draw(st.booleans()))
                           for i, k in enumerate(draw(st.lists(st.sampled_from(MEMBER_TYPES), min_size=1, max_size=3)))]
                low = draw(st.integers(0, 2))
                item = {"type": "group", "name": name, "label": f"Groupe {name}", "help_text": "",
                        "item_label": "Ligne", "min_count": low, "max_count": draw(st.integers(max(low, 1), 3)),
                        "required": low > 0, "fields": members, "condition": None}
            else:
                item = item_for(kind, name, draw(st.booleans()))
            if deciders and draw(st.booleans()):
                decider = draw(st.sampled_from(deciders))
                value = draw(st.sampled_from(["Oui", "Non"] if decider["type"] == "yesno" else CHOICES))
                item["condition"] = {"field": decider["name"], "op": draw(st.sampled_from(["equals", "not_equals"])),
                                     "value": value}
            items.append(item)
            plan[name] = draw(group_plan(item) if kind == "group" else answer_plan(item))
        steps.append({"title": f"Étape {s + 1}", "intro": "", "condition": None, "items": items})
        deciders += [i for i in items if i["type"] in ("yesno", "choice")]
    return {"version": 1, "steps": steps}, plan, draw(st.integers(0, 12)) == 12


@st.composite
def answer_plan(draw, item):
    """("valid", sent, stored) | ("invalid", sent) | ("empty",)."""
    roll = draw(st.integers(0, 9))
    if roll == 9 and invalid_answer(item) is not None:
        return ("invalid", invalid_answer(item))
    if roll == 8:
        return ("invalid", "") if item["required"] else ("empty",)
    sent, stored = draw(valid_answer(item))
    return ("valid", sent, stored)


@st.composite
def group_plan(draw, item):
    rows = []
    for _ in range(draw(st.integers(item["min_count"], item["max_count"]))):
        row = {}
        for member in item["fields"]:
            if member["required"] or draw(st.booleans()) or not row:
                row[member["name"]] = draw(valid_answer(member))
        rows.append(row)
    if rows and draw(st.integers(0, 6)) == 6:
        member = item["fields"][0]
        bad = invalid_answer(member)
        rows[0][member["name"]] = (bad, None)
        return ("invalid", rows)
    return ("valid", rows)


def shown(condition, answers) -> bool:
    """The oracle for conditions, written apart from forms.definition."""
    if condition is None:
        return True
    value = answers.get(condition["field"])
    words = [] if value is None else ["oui" if value else "non"] if isinstance(value, bool) else [value.lower()]
    hit = condition["value"].lower() in words
    return hit if condition["op"] == "equals" else not hit


def post_data_for(step, plan):
    data, expected, invalid = {}, {}, False
    for item in step["items"]:
        entry = plan[item["name"]]
        if item["type"] == "group":
            rows = entry[1]
            data[f"{item['name']}-count"] = str(len(rows))
            stored_rows = []
            for i, row in enumerate(rows):
                for member_name, (sent, _stored) in row.items():
                    data[f"{item['name']}-{i}-{member_name}"] = sent
                stored_rows.append({k: stored for k, (_sent, stored) in row.items()})
            expected[item["name"]] = stored_rows
        elif entry[0] == "valid":
            data[item["name"]] = entry[1]
            expected[item["name"]] = entry[2]
        elif entry[0] == "invalid" and entry[1] != "":
            data[item["name"]] = entry[1]
    return data, expected


def expected_outcome(step, plan, stored_so_far):
    """Which answers of this step must be kept, and whether it must fail."""
    answers, fails = dict(stored_so_far), False
    for item in step["items"]:
        if not shown(item["condition"], answers):
            continue
        entry = plan[item["name"]]
        if entry[0] == "invalid":
            fails = True
        elif item["type"] == "group":
            if entry[1]:
                answers[item["name"]] = [{k: stored for k, (_s, stored) in row.items()} for row in entry[1]]
        elif entry[0] == "valid":
            answers[item["name"]] = entry[2]
    step_names = {item["name"] for item in step["items"]}
    return fails, {k: v for k, v in answers.items() if k in step_names}


@pytest.fixture
def open_page(home):
    return make_page(home, [_step("Un", "", [_q("text", "Nom", "nom")])], slug="propriete")


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(scenario())
def test_random_forms_and_answers(parent_client, open_page, family, scenario):
    definition, plan, add_junk = scenario
    assert definition_problems(definition) == []
    child = Child.objects.create(family=family, first_name="Enfant", last_name="Test", birth_date=dt.date(2020, 1, 1))
    dossier = Submission.objects.create(page=open_page, form_title="t", family=family, child=child,
                                        school=family.schools.first(),
                                        definition=definition, answers={})
    stored: dict = {}
    for index, step in enumerate(definition["steps"]):
        data, _expected = post_data_for(step, plan)
        url = f"/dossiers/{dossier.public_id}/etape/{index}/"
        if add_junk:
            response = parent_client.post(url, {**data, "champ_pirate": "1"})
            assert response.status_code == 400
            dossier.refresh_from_db()
            assert dossier.answers == stored
            event("unknown field refused")
            return
        response = parent_client.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        fails, step_answers = expected_outcome(step, plan, stored)
        dossier.refresh_from_db()
        if fails:
            assert response.status_code == 200
            assert 'class="field__error"' in response.content.decode()
            assert dossier.answers == stored
            event("invalid answer refused")
            return
        assert response.status_code == 302, response.content.decode()[-3000:]
        stored.update(step_answers)
        assert dossier.answers == stored
    response = parent_client.post(f"/dossiers/{dossier.public_id}/recapitulatif/")
    assert response.status_code in (200, 302)
    dossier.refresh_from_db()
    assert dossier.status == "submitted", response.content.decode()[-2000:]
    assert dossier.answers == stored
    event("submitted")
