"""The e-mail confirmation link: expiring, single use, and asked again."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts import ratelimit, selectors, services
from accounts.models import EmailConfirmation

from .helpers import last_mail_to, links, path_of, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(schools):
    from .conftest import make_family

    return make_family("Nouveau", school=schools["marin"], confirmed=False)


def send_link(user, capture) -> str:
    with capture(execute=True):
        services.email_confirmation_send(user=user)
    link = next(link for link in links(last_mail_to(user.email)) if "/compte/confirmer/" in link)
    return path_of(link)


def test_link_confirms_once(client, newcomer, django_capture_on_commit_callbacks):
    path = send_link(newcomer, django_capture_on_commit_callbacks)
    assert not selectors.user_can_submit(user=newcomer)

    # Opening the link shows a button (mail scanners that open links confirm nothing).
    page = text(client.get(path))
    assert "Confirmer mon adresse e-mail" in page
    newcomer.refresh_from_db()
    assert not newcomer.email_confirmed

    response = client.post(path, follow=True)
    assert "Merci : votre adresse e-mail est confirmée." in text(response)
    newcomer.refresh_from_db()
    assert newcomer.email_confirmed
    assert selectors.user_can_submit(user=newcomer)

    # The same link again: already used.
    response = client.get(path)
    assert response.status_code == 410
    assert "Ce lien de confirmation a déjà été utilisé" in text(response)
    response = client.post(path)
    assert response.status_code == 410
    assert "déjà été utilisé" in text(response)


def test_expired_link_says_so_and_offers_a_new_one(client, newcomer, django_capture_on_commit_callbacks):
    path = send_link(newcomer, django_capture_on_commit_callbacks)
    EmailConfirmation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post(path)
    assert response.status_code == 410
    assert "Ce lien de confirmation a expiré" in text(response)
    newcomer.refresh_from_db()
    assert not newcomer.email_confirmed

    client.force_login(newcomer)
    page = text(client.get(path))
    assert "Recevoir un nouveau lien" in page


def test_invalid_link(client, newcomer):
    response = client.get("/compte/confirmer/pas-un-jeton/")
    assert response.status_code == 404
    assert "Ce lien de confirmation n'est pas valable" in text(response)


def test_link_expires_after_the_configured_hours(newcomer, settings, django_capture_on_commit_callbacks):
    settings.ACCOUNT_CONFIRMATION_HOURS = 48
    send_link(newcomer, django_capture_on_commit_callbacks)
    confirmation = EmailConfirmation.objects.get(user=newcomer)
    assert dt.timedelta(hours=47) < confirmation.expires_at - timezone.now() <= dt.timedelta(hours=48)
    assert "48 heures" in last_mail_to(newcomer.email).body
    # Only a hash of the token is stored.
    assert confirmation.token_hash not in last_mail_to(newcomer.email).body


def test_resend_sends_a_new_working_link_and_is_rate_limited(client, newcomer, django_capture_on_commit_callbacks):
    client.force_login(newcomer)
    for n in range(ratelimit.CONFIRMATION_PER_USER.count):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/compte/confirmation/renvoyer/", follow=True)
        assert "Un nouveau lien de confirmation a été envoyé à nouveau@example.org" in text(response)
    assert EmailConfirmation.objects.filter(user=newcomer).count() == ratelimit.CONFIRMATION_PER_USER.count

    response = client.post("/compte/confirmation/renvoyer/", follow=True)
    assert "Vous avez déjà demandé plusieurs liens" in text(response)
    assert EmailConfirmation.objects.filter(user=newcomer).count() == ratelimit.CONFIRMATION_PER_USER.count

    # Any unexpired link works, once.
    path = path_of(next(link for link in links(last_mail_to(newcomer.email)) if "/compte/confirmer/" in link))
    client.post(path)
    newcomer.refresh_from_db()
    assert newcomer.email_confirmed
    response = client.post("/compte/confirmation/renvoyer/", follow=True)
    assert "Votre adresse e-mail est déjà confirmée." in text(response)


def test_resend_needs_a_signed_in_user_and_post(client, newcomer):
    response = client.post("/compte/confirmation/renvoyer/")
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    client.force_login(newcomer)
    assert client.get("/compte/confirmation/renvoyer/").status_code == 405


def test_account_page_shows_the_unconfirmed_address(client, newcomer):
    client.force_login(newcomer)
    page = text(client.get("/compte/"))
    assert "à confirmer" in page
    assert "Renvoyer le lien de confirmation" in page
