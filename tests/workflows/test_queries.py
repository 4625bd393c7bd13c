"""The director's list costs the same number of queries with 10 dossiers as
with 200, and no more than 12 for the whole list and the waiting dossiers
(Wagtail's admin chrome included)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import DossierFactory, SchoolFactory, UserFactory

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
