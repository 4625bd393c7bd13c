"""A small world for the workflow: a site with a one-step procedure page, a
school with its director, a family with a child and a signed-in parent."""

import datetime as dt
import itertools
from io import BytesIO

import pytest
from pypdf import PdfReader

from accounts.models import Child
from tests.factories import FamilyFactory, SchoolFactory, UserFactory, site_home
from tests.forms.conftest import _q, _step, confirmed, make_page, review_url, start, step_url

_numbers = itertools.count()
STEPS = [_step("L'enfant", "", [_q("text", "Remarque", "remarque")])]


def pdf_text(content: bytes) -> str:
    """The text of a PDF, as pypdf reads it."""
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


@pytest.fixture
def home(db):
    return site_home(slug="accueil-demarches")


@pytest.fixture
def school(db):
    return SchoolFactory(name="École du Bourg")


@pytest.fixture
def director(school):
    user = UserFactory(director=True, first_name="Diane", last_name="Directrice")
    school.directors.add(user)
    return user


@pytest.fixture
def family(school):
    family = FamilyFactory(name="Joseph")
    family.schools.add(school)
    return family


@pytest.fixture
def child(family):
    return Child.objects.create(family=family, first_name="Léa", last_name="Joseph", birth_date=dt.date(2020, 3, 14))


@pytest.fixture
def parent(family):
    return confirmed(UserFactory(email="marie@example.org", first_name="Marie", last_name="Joseph", family=family))


@pytest.fixture
def procedure(home, school):
    def build(**stages):
        page = make_page(home, STEPS, slug=f"demarche-{next(_numbers)}", **stages)
        page.schools.add(school)
        return page

    return build


def submit_through_the_form(client, page, child, answer="RAS"):
    """The family's path: open the dossier, answer, submit from the review."""
    submission = start(client, page, child)
    response = client.post(step_url(submission, 0), {"remarque": answer})
    assert response.status_code == 302, response.content.decode()[:1500]
    response = client.post(review_url(submission))
    assert response.status_code == 302, response.content.decode()[:1500]
    submission.refresh_from_db()
    return submission
