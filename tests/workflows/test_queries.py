"""The director's list costs the same number of queries with 10 dossiers as
with 200."""

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

    DossierFactory.create_batch(190, submission__school=school)
    many = queries_for(client, url)
    many_plain = queries_for(client, "/cms/dossiers/")

    assert few == many
    assert few_plain == many_plain
    assert many_plain <= 25
