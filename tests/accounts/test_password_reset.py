"""Password reset by e-mail, through the notifications outbox: the same
answer whether the address has an account or not, links that work once,
rate limits."""

import re

import pytest
from django.core import mail

from accounts import ratelimit
from notifications.models import Notification
from tests.factories import PASSWORD

from .helpers import STRONG, last_mail_to, links, path_of, text

pytestmark = pytest.mark.django_db


def ask(client, email, capture):
    with capture(execute=True):
        return client.post("/compte/mot-de-passe/oublie/", {"email": email}, follow=True)


def test_same_answer_whether_the_address_has_an_account_or_not(client, parent, django_capture_on_commit_callbacks):
    known = ask(client, parent.email, django_capture_on_commit_callbacks)
    unknown = ask(client, "personne@example.org", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain == [("/compte/mot-de-passe/oublie/envoye/", 302)]
    # The same page, but for the CSRF token (masked anew on every render).
    without_token = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text(r))  # noqa: E731
    assert without_token(known) == without_token(unknown)
    assert "Si un compte existe pour cette adresse" in text(known)
    assert [m.to for m in mail.outbox] == [[parent.email]]
    # The message went through the outbox.
    assert Notification.objects.filter(recipient=parent.email, event="password_reset").count() == 1


def test_reset_link_sets_a_new_password_once(client, parent, django_capture_on_commit_callbacks):
    ask(client, parent.email, django_capture_on_commit_callbacks)
    path = path_of(next(link for link in links(last_mail_to(parent.email)) if "/mot-de-passe/nouveau/" in link))
    response = client.get(path, follow=True)
    page = text(response)
    assert "Nouveau mot de passe" in page
    assert "au minimum 10 caractères" in page  # rules shown first
    form_path = response.redirect_chain[-1][0]

    page = text(client.post(form_path, {"new_password1": "court", "new_password2": "court"}))
    assert "Ce mot de passe est trop court" in page

    response = client.post(form_path, {"new_password1": STRONG, "new_password2": STRONG}, follow=True)
    assert "Votre nouveau mot de passe est enregistré" in text(response)
    parent.refresh_from_db()
    assert parent.check_password(STRONG)

    # The link works once.
    page = text(client.get(path, follow=True))
    assert "Ce lien n'est plus valable" in page


def test_reset_is_rate_limited_per_address_silently(client, parent, django_capture_on_commit_callbacks):
    for _ in range(ratelimit.PASSWORD_RESET_PER_EMAIL.count + 2):
        response = ask(client, parent.email, django_capture_on_commit_callbacks)
        assert "Si un compte existe pour cette adresse" in text(response)
    assert len([m for m in mail.outbox if parent.email in m.to]) == ratelimit.PASSWORD_RESET_PER_EMAIL.count


def test_reset_is_rate_limited_per_machine(client, django_capture_on_commit_callbacks):
    for n in range(ratelimit.PASSWORD_RESET_PER_IP.count):
        ask(client, f"x{n}@example.org", django_capture_on_commit_callbacks)
    response = client.post("/compte/mot-de-passe/oublie/", {"email": "encore@example.org"})
    assert response.status_code == 429
    page = text(response)
    assert "Trop de demandes depuis cette connexion" in page
    assert 'value="encore@example.org"' in page


def test_bad_address_is_explained(client):
    page = text(client.post("/compte/mot-de-passe/oublie/", {"email": "pas-une-adresse"}))
    assert "Saisissez une adresse" in page
    assert 'value="pas-une-adresse"' in page


def test_reset_unlocks_a_throttled_login_and_confirms_the_address(client, schools, django_capture_on_commit_callbacks):
    from django.conf import settings

    from .conftest import make_family

    user = make_family("Oubli", school=schools["marin"], confirmed=False)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/compte/connexion/", {"username": user.email, "password": "faux"})
    assert client.post("/compte/connexion/", {"username": user.email, "password": PASSWORD}).status_code == 429

    ask(client, user.email, django_capture_on_commit_callbacks)
    path = path_of(next(link for link in links(last_mail_to(user.email)) if "/mot-de-passe/nouveau/" in link))
    form_path = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(form_path, {"new_password1": STRONG, "new_password2": STRONG})
    user.refresh_from_db()
    assert user.email_confirmed  # only the owner of the address gets the link

    response = client.post("/compte/connexion/", {"username": user.email, "password": STRONG})
    assert response.status_code == 302


def test_password_change_when_signed_in(client, parent):
    client.force_login(parent)
    page = text(client.get("/compte/mot-de-passe/"))
    assert "Mot de passe actuel" in page and "au minimum 10 caractères" in page
    page = text(client.post("/compte/mot-de-passe/", {"old_password": "faux", "new_password1": STRONG,
                                                      "new_password2": STRONG}))
    assert "Votre mot de passe actuel est incorrect" in page
    response = client.post("/compte/mot-de-passe/", {"old_password": PASSWORD, "new_password1": STRONG,
                                                     "new_password2": STRONG}, follow=True)
    assert "Votre mot de passe est enregistré." in text(response)
    assert response.wsgi_request.user.is_authenticated  # the session survives the change
    parent.refresh_from_db()
    assert parent.check_password(STRONG)
