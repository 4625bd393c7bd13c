"""The public forms' errors are named by their fields (RGAA 11.10, 11.11):
sent with mistakes over HTTP, each page's aria-describedby names only ids it
has, and every field error is one of them (``templates/jinja2/_fields.html``)."""

import pytest
from django.urls import reverse

from tests.describedby import assert_errors_tied
from tests.factories import GuardianFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("url", "data"), [
    pytest.param(reverse("accounts:signup_step", args=[1]), {}, id="inscription-etape-1"),
    pytest.param(reverse("accounts:password_reset"), {"email": "pas-une-adresse"}, id="mot-de-passe-oublie"),
])
def test_account_forms_sent_wrong_name_their_errors(client, url, data):
    client.get(url)
    response = client.post(url, data)
    html = response.content.decode()
    assert 'class="field__error"' in html
    assert_errors_tied(html)


@pytest.mark.parametrize(("url_name", "data"), [
    pytest.param("accounts:contact_edit", {"phone": "pas un numéro"}, id="coordonnees"),
    pytest.param("accounts:child_add", {"first_name": ""}, id="enfant"),
    pytest.param("accounts:guardian_invite", {"email": "pas-une-adresse"}, id="second-responsable"),
    pytest.param("privacy:my_data", {"password": "faux"}, id="suppression-du-compte"),
])
def test_a_familys_forms_sent_wrong_name_their_errors(client, url_name, data):
    parent = GuardianFactory()
    client.force_login(parent)
    response = client.post(reverse(url_name), data)
    html = response.content.decode()
    assert response.status_code in (200, 400), response.status_code
    assert_errors_tied(html)
