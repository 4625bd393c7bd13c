"""Sign in with the e-mail address, land where one's role works, sign out;
throttling after repeated failures; no account enumeration."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.constants import Role
from tests.factories import PASSWORD, UserFactory

from .helpers import text

pytestmark = pytest.mark.django_db


def login(client, email, password, **extra):
    return client.post("/compte/connexion/", {"username": email, "password": password, **extra})


def test_parent_signs_in_with_the_email_in_any_case_and_lands_on_the_account(client, parent):
    response = login(client, parent.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/compte/"
    page = text(client.get("/compte/"))
    assert "Mon compte" in page and parent.email in page


def test_next_is_followed_when_safe(client, parent):
    response = login(client, parent.email, PASSWORD, next="/compte/coordonnees/")
    assert response["Location"] == "/compte/coordonnees/"
    client.post("/compte/deconnexion/")
    response = login(client, parent.email, PASSWORD, next="https://ailleurs.example/")
    assert response["Location"] == "/compte/"


@pytest.mark.parametrize("role", list(Role))
def test_staff_land_where_their_role_works(client, role):
    user = UserFactory(role=role)
    response = login(client, user.email, PASSWORD)
    assert response["Location"] == "/cms/"
    assert client.get("/cms/").status_code == 200


def test_wagtail_admin_sends_to_the_same_login_page(client):
    response = client.get("/cms/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=/cms/")


def test_sign_out(client, parent):
    client.force_login(parent)
    response = client.post("/compte/deconnexion/")
    assert response.status_code == 302
    assert not client.get("/compte/").wsgi_request.user.is_authenticated
    assert client.get("/compte/deconnexion/").status_code == 405  # never by a plain link


def test_wrong_password_and_unknown_address_get_the_same_answer(client, parent):
    wrong = login(client, parent.email, "mauvais-mot-de-passe")
    unknown = login(client, "personne@example.org", "mauvais-mot-de-passe")
    assert wrong.status_code == unknown.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in text(wrong)
    assert "Adresse e-mail ou mot de passe incorrect." in text(unknown)
    assert f'value="{parent.email}"' in text(wrong)


def test_login_is_throttled_after_repeated_failures(client, parent):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, parent.email, "mauvais-mot-de-passe")
        assert response.status_code == 200
    response = login(client, parent.email, "mauvais-mot-de-passe")
    assert response.status_code == 429
    page = text(response)
    assert "Trop de tentatives de connexion avec cette adresse" in page
    assert "15 minutes" in page
    assert f'value="{parent.email}"' in page  # what was typed is kept
    assert "Mot de passe oublié" in page

    # Even the right password is refused while locked out…
    response = login(client, parent.email, PASSWORD)
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    # …but another address from the same machine is not locked.
    other = UserFactory()
    assert login(client, other.email, PASSWORD).status_code == 302


def test_throttling_counts_unknown_addresses_too(client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "inconnu@example.org", "x")
    assert response.status_code == 429


def test_password_spraying_from_one_machine_is_stopped(client, parent):
    """The probe tried 12 addresses once each from one machine and was never
    slowed: the machine now has a budget of failures across addresses."""
    sprayed = [UserFactory() for _ in range(12)]
    answers = [login(client, user.email, "Printemps2026!").status_code for user in sprayed]
    # As for one address, the failure that reaches the limit is answered with the lockout.
    limit = settings.LOGIN_IP_FAILURE_LIMIT
    assert answers[: limit - 1] == [200] * (limit - 1)
    assert set(answers[limit - 1:]) == {429}
    response = login(client, parent.email, PASSWORD)  # even a right password, from this machine
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    page = text(response)
    assert "Trop de tentatives de connexion depuis cette connexion Internet" in page
    assert "15 minutes" in page and "Mot de passe oublié" in page
    # Another machine is not held back.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post("/compte/connexion/", {"username": parent.email, "password": PASSWORD}).status_code == 302


def test_a_good_password_does_not_refill_the_machine_budget(client, parent):
    sprayed = [UserFactory() for _ in range(settings.LOGIN_IP_FAILURE_LIMIT - 1)]
    for user in sprayed:
        assert login(client, user.email, "Printemps2026!").status_code == 200
    assert login(client, parent.email, PASSWORD).status_code == 302  # the attacker's own account
    client.post("/compte/deconnexion/")
    assert login(client, UserFactory().email, "Printemps2026!").status_code == 429


def test_lockout_ends_after_the_cool_off(client, parent, settings):
    import datetime as dt

    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, parent.email, "mauvais")
    assert login(client, parent.email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    assert login(client, parent.email, PASSWORD).status_code == 302


def test_pages_of_the_family_need_a_signed_in_user(client):
    for path in ("/compte/", "/compte/coordonnees/", "/compte/enfants/ajouter/", "/compte/conditions/",
                 "/compte/mot-de-passe/", "/compte/responsables/inviter/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/compte/connexion/?next="), path


def test_session_expires(settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60 * 8
