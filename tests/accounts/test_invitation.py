"""Accounts created by a school: staff invite a family by e-mail; the family
signs in with a provisional password, must choose its own before anything
else, and the invitation expires."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts import selectors
from accounts.constants import Role
from accounts.models import AccountInvitation
from tests.factories import UserFactory

from .helpers import STRONG, last_mail_to, text

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def director(schools):
    user = UserFactory(role=Role.DIRECTOR)
    schools["maternelle"].directors.add(user)
    return user


def invite(client, staff, capture, **data):
    client.force_login(staff)
    with capture(execute=True):
        response = client.post("/cms/familles/inviter/", data, follow=True)
    client.logout()
    return response


def provisional_password(email) -> str:
    return re.search(r"Mot de passe provisoire : (\S+)", last_mail_to(email).body).group(1)


def test_director_invites_a_family_of_his_school(client, director, schools, django_capture_on_commit_callbacks):
    client.force_login(director)
    page = text(client.get("/cms/familles/inviter/"))
    assert "Inviter une famille" in page
    assert "École maternelle du Bourg" in page
    assert "Groupe scolaire du Marin" not in page  # not his school
    client.logout()

    response = invite(
        client, director, django_capture_on_commit_callbacks,
        email="Famille.Celestin@example.org", last_name="Célestin", first_name="Rose", school=schools["maternelle"].pk,
    )
    assert "Compte créé pour famille.celestin@example.org" in text(response)
    user = User.objects.get(email="famille.celestin@example.org")
    assert user.must_change_password
    assert user.family.name == "Célestin"
    assert list(user.family.schools.all()) == [schools["maternelle"]]
    invitation = AccountInvitation.objects.get(user=user)
    assert invitation.invited_by == director and invitation.school == schools["maternelle"]

    message = last_mail_to("famille.celestin@example.org")
    assert "École maternelle du Bourg a créé votre compte famille" in message.body
    assert "Identifiant : famille.celestin@example.org" in message.body
    password = provisional_password(user.email)
    assert user.check_password(password)


def test_director_cannot_invite_for_another_school(client, director, schools, django_capture_on_commit_callbacks):
    response = invite(client, director, django_capture_on_commit_callbacks,
                      email="x@example.org", last_name="X", school=schools["marin"].pk)
    assert "Sélectionnez un choix valide" in text(response)
    assert not User.objects.filter(email="x@example.org").exists()


def test_the_invitation_forms_errors_are_named_by_their_fields(client, director, schools):
    from tests.describedby import assert_errors_tied

    client.force_login(director)
    response = client.post("/cms/familles/inviter/", {"email": "pas-une-adresse", "school": schools["marin"].pk})
    html = response.content.decode()
    assert 'id="id_email_error"' in html and 'id="id_school_error"' in html
    assert_errors_tied(html, at_least=2)


def test_editor_may_invite_for_any_school(client, schools, django_capture_on_commit_callbacks):
    editor = UserFactory(role=Role.EDITOR)
    invite(client, editor, django_capture_on_commit_callbacks,
           email="y@example.org", last_name="Y", school=schools["marin"].pk)
    assert User.objects.get(email="y@example.org").must_change_password


def test_parents_and_finance_agents_cannot_invite(client, parent):
    client.force_login(parent)
    assert client.get("/cms/familles/inviter/").status_code in (302, 403)
    client.force_login(UserFactory(role=Role.FINANCE))
    response = client.get("/cms/familles/inviter/")
    assert response.status_code in (302, 403)
    assert "Inviter une famille" not in text(response)
    # The menu item is shown only to those who may invite.
    assert "/cms/familles/inviter/" not in text(client.get("/cms/"))


def test_an_account_in_use_cannot_be_invited(client, director, parent, schools, django_capture_on_commit_callbacks):
    response = invite(client, director, django_capture_on_commit_callbacks,
                      email=parent.email, last_name="Joseph", school=schools["maternelle"].pk)
    assert "Un compte existe déjà pour cette adresse et il est utilisé" in text(response)


def test_provisional_password_must_be_changed_before_anything_else(
    client, director, schools, django_capture_on_commit_callbacks
):
    invite(client, director, django_capture_on_commit_callbacks,
           email="rose@example.org", last_name="Célestin", school=schools["maternelle"].pk)
    password = provisional_password("rose@example.org")

    response = client.post("/compte/connexion/", {"username": "rose@example.org", "password": password})
    assert response["Location"] == "/compte/mot-de-passe/"
    page = text(client.get("/compte/mot-de-passe/"))
    assert "Choisir votre mot de passe" in page
    assert "Mot de passe actuel" not in page  # the provisional one is not asked again
    assert "au minimum 10 caractères" in page

    # Any other page sends back to the password form, with a French message.
    for path in ("/compte/", "/compte/enfants/ajouter/", "/", "/compte/conditions/"):
        response = client.get(path, follow=True)
        assert response.redirect_chain[-1][0] == "/compte/mot-de-passe/", path
        assert "Votre mot de passe est provisoire" in text(response)
    user = User.objects.get(email="rose@example.org")
    assert not selectors.user_can_submit(user=user)
    assert "provisional_password" in [b.code for b in selectors.submission_blockers(user=user)]

    # Not the provisional password again, and not a weak one.
    page = text(client.post("/compte/mot-de-passe/", {"new_password1": password, "new_password2": password}))
    assert "Choisissez un mot de passe différent du mot de passe provisoire." in page
    page = text(client.post("/compte/mot-de-passe/", {"new_password1": "123", "new_password2": "123"}))
    assert "Ce mot de passe est trop court" in page

    response = client.post("/compte/mot-de-passe/", {"new_password1": STRONG, "new_password2": STRONG}, follow=True)
    assert response.redirect_chain[-1][0] == "/compte/"
    assert "Votre mot de passe est enregistré." in text(response)
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.email_confirmed  # the invitation came by e-mail
    assert AccountInvitation.objects.get(user=user).accepted_at is not None
    assert client.get("/compte/").status_code == 200
    client.post("/compte/deconnexion/")
    # The provisional password no longer works.
    response = client.post("/compte/connexion/", {"username": "rose@example.org", "password": password})
    assert "Adresse e-mail ou mot de passe incorrect." in text(response)


def test_sign_out_is_allowed_with_a_provisional_password(client, director, schools, django_capture_on_commit_callbacks):
    invite(client, director, django_capture_on_commit_callbacks,
           email="rose@example.org", last_name="Célestin", school=schools["maternelle"].pk)
    client.post("/compte/connexion/", {"username": "rose@example.org", "password": provisional_password("rose@example.org")})
    response = client.post("/compte/deconnexion/")
    assert response.status_code == 302 and response["Location"] != "/compte/mot-de-passe/"


def test_expired_invitation_refuses_the_provisional_password(
    client, director, schools, django_capture_on_commit_callbacks
):
    invite(client, director, django_capture_on_commit_callbacks,
           email="rose@example.org", last_name="Célestin", school=schools["maternelle"].pk)
    password = provisional_password("rose@example.org")
    AccountInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post("/compte/connexion/", {"username": "rose@example.org", "password": password})
    page = text(response)
    assert response.status_code == 200
    assert "Votre mot de passe provisoire a expiré" in page
    assert 'value="rose@example.org"' in page
    assert not response.wsgi_request.user.is_authenticated

    # Inviting again sends a new password and a new date.
    invite(client, director, django_capture_on_commit_callbacks,
           email="rose@example.org", last_name="Célestin", school=schools["maternelle"].pk)
    new_password = provisional_password("rose@example.org")
    assert new_password != password
    response = client.post("/compte/connexion/", {"username": "rose@example.org", "password": new_password})
    assert response["Location"] == "/compte/mot-de-passe/"
    assert User.objects.filter(email="rose@example.org").count() == 1


# --- Re-invitations: only the school that invited -----------------------------------------------------


@pytest.fixture
def other_director(schools):
    user = UserFactory(role=Role.DIRECTOR)
    schools["marin"].directors.add(user)
    return user


def can_sign_in(email, password) -> bool:
    from django.test import Client

    return Client().post("/compte/connexion/", {"username": email, "password": password}).status_code == 302


def test_a_director_of_another_school_cannot_take_an_invitation_over(
    client, director, other_director, schools, django_capture_on_commit_callbacks
):
    """The probe: a director of another school re-invited an address a first
    school had invited; a new provisional password replaced the first, and
    the family ended up attached to both schools."""
    invite(client, director, django_capture_on_commit_callbacks,
           email="rose@example.org", last_name="Célestin", school=schools["maternelle"].pk)
    password = provisional_password("rose@example.org")
    response = invite(client, other_director, django_capture_on_commit_callbacks,
                      email="rose@example.org", last_name="Célestin", school=schools["marin"].pk)
    assert "Cette adresse a déjà été invitée par une autre école" in text(response)
    user = User.objects.get(email="rose@example.org")
    assert list(user.family.schools.all()) == [schools["maternelle"]]
    assert AccountInvitation.objects.filter(user=user).count() == 1
    assert provisional_password("rose@example.org") == password  # no new message either
    assert can_sign_in("rose@example.org", password)


def test_the_inviting_school_resends_with_a_new_password(client, director, schools, django_capture_on_commit_callbacks):
    invite(client, director, django_capture_on_commit_callbacks,
           email="rose@example.org", last_name="Célestin", school=schools["maternelle"].pk)
    first_password = provisional_password("rose@example.org")
    invitation = AccountInvitation.objects.get()
    client.force_login(director)
    page = text(client.get("/cms/familles/inviter/"))
    assert f'action="/cms/familles/invitations/{invitation.pk}/renvoyer/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cms/familles/invitations/{invitation.pk}/renvoyer/", follow=True)
    assert "Invitation renvoyée à rose@example.org" in text(response)
    client.logout()
    new_password = provisional_password("rose@example.org")
    assert new_password != first_password
    assert not can_sign_in("rose@example.org", first_password)
    assert can_sign_in("rose@example.org", new_password)
    latest = AccountInvitation.objects.latest("created_at")
    assert latest.kind == "resent" and latest.school == schools["maternelle"] and latest.invited_by == director


def test_another_school_cannot_resend_nor_see_the_invitation(
    client, director, other_director, schools, django_capture_on_commit_callbacks
):
    invite(client, director, django_capture_on_commit_callbacks,
           email="rose@example.org", last_name="Célestin", school=schools["maternelle"].pk)
    password = provisional_password("rose@example.org")
    invitation = AccountInvitation.objects.get()
    client.force_login(other_director)
    assert "rose@example.org" not in text(client.get("/cms/familles/inviter/"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cms/familles/invitations/{invitation.pk}/renvoyer/")
    assert response.status_code == 404
    assert AccountInvitation.objects.count() == 1
    assert can_sign_in("rose@example.org", password)


def test_an_editor_may_resend_and_it_is_recorded(client, director, schools, django_capture_on_commit_callbacks):
    invite(client, director, django_capture_on_commit_callbacks,
           email="rose@example.org", last_name="Célestin", school=schools["maternelle"].pk)
    editor = UserFactory(role=Role.EDITOR, first_name="Eddy", last_name="Rédacteur")
    invitation = AccountInvitation.objects.get()
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cms/familles/invitations/{invitation.pk}/renvoyer/")
    latest = AccountInvitation.objects.latest("created_at")
    assert latest.kind == "resent_by_administration" and latest.invited_by == editor
    page = text(client.get("/cms/familles/inviter/"))
    assert "Renvoyée par un rédacteur ou un administrateur — Eddy Rédacteur" in page
    # The family stays attached to the school that invited it.
    assert list(latest.user.family.schools.all()) == [schools["maternelle"]]
