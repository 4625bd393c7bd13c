"""The director's list costs the same number of queries with 10 dossiers as
with 200, and no more than 12 for the whole list and the waiting dossiers
(Wagtail's admin chrome included)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import DossierFactory, SchoolFactory, UserFactory
from workflows.models import Dossier

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_dossier_list_queries_do_not_grow_with_the_number_of_dossiers(client):
    school = SchoolFactory()
    director = UserFactory(director=True)
    school.directors.add(director)
    client.force_login(director)

    DossierFactory.create_batch(10, submission__school=school)
    url = "/cms/dossiers/?state=submitted&q=a"
    queries_for(client, url)  # warm caches (content types, site)
    few = queries_for(client, url)
    few_plain = queries_for(client, "/cms/dossiers/")
    few_waiting = queries_for(client, "/cms/dossiers/?state=submitted")

    DossierFactory.create_batch(190, submission__school=school)
    many = queries_for(client, url)
    many_plain = queries_for(client, "/cms/dossiers/")
    many_waiting = queries_for(client, "/cms/dossiers/?state=submitted")

    assert few == many
    assert few_plain == many_plain and few_waiting == many_waiting
    assert many_plain <= 12 and many_waiting <= 12, (many_plain, many_waiting)


def test_every_page_of_the_list_shows_the_right_dossiers_in_order(client):
    """Pages in the far half are read from the end of the list: the same
    rows, in the same order, as reading from the start."""
    school = SchoolFactory()
    director = UserFactory(director=True)
    school.directors.add(director)
    client.force_login(director)
    DossierFactory.create_batch(60, submission__school=school)  # 3 pages of 25: 25, 25, 10
    seen = []
    for number in (1, 2, 3):
        html = client.get(f"/cms/dossiers/?p={number}").content.decode()
        seen += [int(pk) for pk in re.findall(r'/cms/dossiers/(\d+)/"', html)]
    expected = list(Dossier.objects.filter(school=school).order_by("-submitted_at", "-pk").values_list("pk", flat=True))
    assert seen == expected
