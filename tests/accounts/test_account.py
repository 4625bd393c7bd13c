"""« Mon compte »: address, phones, children, second guardian — and two
families that never see or change each other's data."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accounts.models import Child, Consent, GuardianInvitation
from tests.factories import PASSWORD, UserFactory

from .helpers import STRONG, last_mail_to, links, path_of, text

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_account_page_shows_the_family(client, parent):
    client.force_login(parent)
    page = text(client.get("/compte/"))
    assert "Famille Joseph" in page
    assert parent.email in page
    assert "Léa Joseph" in page and "14 mars 2021" in page and "Moyenne section" in page
    assert "École maternelle du Bourg" in page
    assert "1 rue Schœlcher" in page


def test_contact_details_are_edited_with_french_messages(client, parent):
    client.force_login(parent)
    data = {"address": "12 rue Victor Hugo", "postal_code": "9722", "commune": "Sainte-Luce",
            "phone": "12", "phone_alt": ""}
    page = text(client.post("/compte/coordonnees/", data))
    assert "Un code postal a cinq chiffres" in page
    assert "Saisissez un numéro de téléphone à 10 chiffres" in page
    assert 'value="12 rue Victor Hugo"' in page  # kept
    data.update(postal_code="97228", phone="0696 12 34 56")
    response = client.post("/compte/coordonnees/", data, follow=True)
    assert "Vos coordonnées sont enregistrées." in text(response)
    parent.family.refresh_from_db()
    assert parent.family.address == "12 rue Victor Hugo" and parent.family.phone == "0696 12 34 56"


def test_children_are_added_and_edited(client, parent):
    client.force_login(parent)
    page = text(client.get("/compte/enfants/ajouter/"))
    assert "Toute petite section" in page and "CM2" in page
    bad = {"first_name": "Noé", "last_name": "Joseph", "birth_date": "2099-01-01", "level": "CP"}
    page = text(client.post("/compte/enfants/ajouter/", bad))
    assert "La date de naissance ne peut pas être dans le futur." in page
    assert 'value="Noé"' in page
    page = text(client.post("/compte/enfants/ajouter/", {**bad, "birth_date": "31/02/2020"}))
    assert "Saisissez une date de naissance valide" in page
    page = text(client.post("/compte/enfants/ajouter/", {**bad, "first_name": ""}))
    assert "Ce champ est obligatoire" in page or "Champ requis" in page

    response = client.post("/compte/enfants/ajouter/", {**bad, "birth_date": "14/09/2019"}, follow=True)
    assert "Noé est ajouté(e) à votre famille." in text(response)
    child = Child.objects.get(first_name="Noé")
    assert child.family == parent.family and child.birth_date == dt.date(2019, 9, 14) and child.level == "CP"

    response = client.post(f"/compte/enfants/{child.pk}/", {**bad, "birth_date": "2019-09-14", "level": "CE1"},
                           follow=True)
    assert "Les informations de Noé sont enregistrées." in text(response)
    child.refresh_from_db()
    assert child.level == "CE1"


class TestTwoFamilies:
    """A parent cannot read or change another family's account, children or
    consents."""

    def test_other_familys_child_is_not_found(self, client, parent, other_parent):
        theirs = other_parent.family.children.get()
        client.force_login(parent)
        assert client.get(f"/compte/enfants/{theirs.pk}/").status_code == 404
        response = client.post(f"/compte/enfants/{theirs.pk}/",
                               {"first_name": "Pirate", "last_name": "X", "birth_date": "2020-01-01", "level": ""})
        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.first_name == "Léa" and theirs.family == other_parent.family

    def test_account_pages_show_only_ones_own_family(self, client, parent, other_parent, terms_page):
        Consent.objects.create(family=other_parent.family, user=other_parent, kind="terms", terms_page=terms_page,
                               version="1", title="CGU de la famille Bellay")
        client.force_login(parent)
        for path in ("/compte/", "/compte/conditions/", "/compte/coordonnees/"):
            page = text(client.get(path))
            assert "Bellay" not in page, path
            assert other_parent.email not in page, path

    def test_contact_form_changes_only_ones_own_family(self, client, parent, other_parent):
        client.force_login(parent)
        client.post("/compte/coordonnees/", {"address": "Nouvelle adresse", "postal_code": "97228",
                                             "commune": "Sainte-Luce", "phone": "", "phone_alt": "",
                                             "id": other_parent.family.pk, "family": other_parent.family.pk})
        other_parent.family.refresh_from_db()
        parent.family.refresh_from_db()
        assert other_parent.family.address == "1 rue Schœlcher"
        assert parent.family.address == "Nouvelle adresse"

    def test_new_child_always_joins_ones_own_family(self, client, parent, other_parent):
        client.force_login(parent)
        client.post("/compte/enfants/ajouter/", {"first_name": "Tom", "last_name": "X", "birth_date": "2020-01-01",
                                                 "level": "", "family": other_parent.family.pk})
        assert Child.objects.get(first_name="Tom").family == parent.family

    def test_consents_are_recorded_for_ones_own_family_only(self, client, parent, other_parent, terms_page):
        client.force_login(parent)
        client.post("/compte/conditions/", {"accept_terms": "on", "family": other_parent.family.pk})
        assert Consent.objects.filter(family=other_parent.family).count() == 0
        assert Consent.objects.filter(family=parent.family).count() == 1

    def test_staff_without_family_see_no_family_pages(self, client, other_parent):
        staff = UserFactory()
        client.force_login(staff)
        assert client.get(f"/compte/enfants/{other_parent.family.children.get().pk}/").status_code == 302
        page = text(client.get("/compte/", follow=True))
        assert "Bellay" not in page


class TestSecondGuardian:
    def invite(self, client, parent, email, capture):
        client.force_login(parent)
        with capture(execute=True):
            response = client.post("/compte/responsables/inviter/", {"email": email}, follow=True)
        client.logout()
        return response

    def link(self, email):
        return path_of(next(link for link in links(last_mail_to(email)) if "/compte/invitation/" in link))

    def confirmation_link(self, email):
        return path_of(next(link for link in links(last_mail_to(email)) if "/compte/confirmer/" in link))

    def test_second_parent_gets_his_own_login_once_the_address_is_confirmed(
        self, client, parent, django_capture_on_commit_callbacks
    ):
        response = self.invite(client, parent, "paul.joseph@example.org", django_capture_on_commit_callbacks)
        assert "Invitation envoyée à paul.joseph@example.org" in text(response)
        message = last_mail_to("paul.joseph@example.org")
        assert "Rejoignez le compte famille Joseph" in message.subject
        path = self.link("paul.joseph@example.org")

        page = text(client.get(path))
        assert "Votre identifiant sera paul.joseph@example.org" in page
        page = text(client.post(path, {"first_name": "Paul", "last_name": "Joseph", "password1": "court",
                                       "password2": "court"}))
        assert "Ce mot de passe est trop court" in page and 'value="Paul"' in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(path, {"first_name": "Paul", "last_name": "Joseph", "password1": STRONG,
                                          "password2": STRONG}, follow=True)
        page = text(response)
        assert "Pour rejoindre la famille Joseph, confirmez votre adresse" in page
        assert "Vous rejoindrez la famille Joseph dès que votre adresse e-mail sera confirmée" in page
        paul = User.objects.get(email="paul.joseph@example.org")
        assert paul.family is None and not paul.email_confirmed and paul.check_password(STRONG)
        # Nothing of the family before the address is confirmed.
        assert "Léa" not in page
        assert client.get(f"/compte/enfants/{parent.family.children.get().pk}/").status_code in {302, 404}

        # The confirmation link, followed signed in, lets him in.
        confirm = self.confirmation_link("paul.joseph@example.org")
        response = client.post(confirm, follow=True)
        assert "Merci : votre adresse e-mail est confirmée." in text(response)
        paul.refresh_from_db()
        assert paul.family == parent.family and paul.email_confirmed
        # Both guardians see the same children.
        assert "Léa Joseph" in text(client.get("/compte/"))

        # The link works once.
        client.logout()
        response = client.get(path)
        assert response.status_code == 410
        assert "Cette invitation a déjà été utilisée" in text(response)

    def test_a_stranger_holding_the_link_never_reads_the_family(
        self, client, parent, django_capture_on_commit_callbacks
    ):
        """The probe: an anonymous visitor holding the link created the
        account with their own password and read the child's dossier."""
        self.invite(client, parent, "paul.joseph@example.org", django_capture_on_commit_callbacks)
        path = self.link("paul.joseph@example.org")
        stranger = Client()
        with django_capture_on_commit_callbacks(execute=True):
            stranger.post(path, {"first_name": "Intrus", "last_name": "X", "password1": STRONG, "password2": STRONG})
        for page in ("/compte/", "/dossiers/"):
            response = stranger.get(page, follow=True)
            assert "Léa" not in text(response), page
        # The real Paul reads the confirmation mail, not signed in: confirming would let in whoever chose
        # the password, so he is asked to sign in (or to choose his own password) first.
        confirm = self.confirmation_link("paul.joseph@example.org")
        response = client.post(confirm)
        assert response.status_code == 403
        assert "connectez-vous d'abord avec cette adresse e-mail" in text(response)
        assert User.objects.get(email="paul.joseph@example.org").family is None
        # « Mot de passe oublié ? »: the reset link reaches his mailbox; the new password is his, the
        # stranger's session ends and the account joins the family.
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/compte/mot-de-passe/oublie/", {"email": "paul.joseph@example.org"})
        reset = path_of(next(link for link in links(last_mail_to("paul.joseph@example.org"))
                             if "/mot-de-passe/nouveau/" in link))
        form = client.get(reset, follow=True)
        client.post(form.redirect_chain[-1][0], {"new_password1": "Paul-Volcan-2027", "new_password2": "Paul-Volcan-2027"})
        paul = User.objects.get(email="paul.joseph@example.org")
        assert paul.family == parent.family and paul.check_password("Paul-Volcan-2027")
        assert not stranger.get("/compte/").wsgi_request.user.is_authenticated

    def test_a_used_link_cannot_create_a_second_account_or_join_twice(
        self, client, parent, django_capture_on_commit_callbacks
    ):
        self.invite(client, parent, "paul@example.org", django_capture_on_commit_callbacks)
        path = self.link("paul@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(path, {"first_name": "Paul", "last_name": "J", "password1": STRONG, "password2": STRONG})
        other = Client()
        other.force_login(UserFactory(email="autre@example.org"))
        assert other.post(path).status_code == 410
        assert Client().get(path).status_code == 410

    def test_a_pending_join_ends_with_the_invitation(self, client, parent, django_capture_on_commit_callbacks):
        self.invite(client, parent, "paul@example.org", django_capture_on_commit_callbacks)
        path = self.link("paul@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(path, {"first_name": "Paul", "last_name": "J", "password1": STRONG, "password2": STRONG})
        GuardianInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
        client.post(self.confirmation_link("paul@example.org"))
        paul = User.objects.get(email="paul@example.org")
        assert paul.email_confirmed and paul.family is None

    def test_expired_invitation(self, client, parent, django_capture_on_commit_callbacks):
        self.invite(client, parent, "paul@example.org", django_capture_on_commit_callbacks)
        GuardianInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
        response = client.get(self.link("paul@example.org"))
        assert response.status_code == 410
        assert "Cette invitation a expiré" in text(response)

    def test_existing_account_signs_in_then_joins(self, client, parent, django_capture_on_commit_callbacks):
        loner = UserFactory(email="paul@example.org", email_confirmed_at=timezone.now())
        self.invite(client, parent, "paul@example.org", django_capture_on_commit_callbacks)
        path = self.link("paul@example.org")
        page = text(client.get(path))
        assert "Un compte existe déjà pour paul@example.org. Connectez-vous" in page
        client.post("/compte/connexion/", {"username": "paul@example.org", "password": PASSWORD})
        response = client.post(path, follow=True)
        assert "Vous avez rejoint la famille Joseph." in text(response)
        loner.refresh_from_db()
        assert loner.family == parent.family

    def test_an_existing_unconfirmed_account_joins_once_it_confirms(
        self, client, parent, django_capture_on_commit_callbacks
    ):
        loner = UserFactory(email="paul@example.org", email_confirmed_at=None)
        self.invite(client, parent, "paul@example.org", django_capture_on_commit_callbacks)
        path = self.link("paul@example.org")
        client.force_login(loner)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(path, follow=True)
        assert "Pour rejoindre la famille Joseph, confirmez votre adresse" in text(response)
        loner.refresh_from_db()
        assert loner.family is None
        client.post(self.confirmation_link("paul@example.org"))
        loner.refresh_from_db()
        assert loner.family == parent.family

    def test_member_of_another_family_cannot_join(self, client, parent, other_parent,
                                                  django_capture_on_commit_callbacks):
        self.invite(client, parent, other_parent.email, django_capture_on_commit_callbacks)
        path = self.link(other_parent.email)
        client.force_login(other_parent)
        response = client.post(path)
        assert response.status_code == 400
        assert "déjà rattaché à une autre famille" in text(response)
        other_parent.refresh_from_db()
        assert other_parent.family.name == "Bellay"

    def test_invitation_to_oneself_is_refused(self, client, parent):
        client.force_login(parent)
        page = text(client.post("/compte/responsables/inviter/", {"email": parent.email}))
        assert "C'est votre propre adresse" in page

    def test_invalid_link(self, client):
        response = client.get("/compte/invitation/nimporte-quoi/")
        assert response.status_code == 404
        assert "Ce lien d'invitation n'est pas valable" in text(response)
