"""Keyboard use and signing in, as a family does it in the browser."""

import re

import pytest

from inscrire.demo import content

from .a11y import assert_accessible

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

PARENT = "parent@inscrire.example"
HELP_INDEX = f"/{content.HELP_INDEX['slug']}/"
FIRST_HELP_PAGE = f"{HELP_INDEX}{content.HELP_PAGES[0][0]}/"


def login_url() -> str:
    from django.urls import reverse

    return reverse("accounts:login")


# A path, or (URL name, *args). The login page is not here: its e-mail
# field takes the focus on arrival (see test_signing_in_with_the_keyboard_only).
SKIP_LINK_PAGES = [
    pytest.param("/", id="accueil"),
    pytest.param(HELP_INDEX, id="aide"),
    pytest.param(FIRST_HELP_PAGE, id="page-d-aide"),
    pytest.param("/cette-page-n-existe-pas/", id="404"),
    pytest.param(("accounts:signup_step", 1), id="inscription"),
    pytest.param(("accounts:password_reset",), id="mot-de-passe-oublie"),
]


@pytest.mark.parametrize("target", SKIP_LINK_PAGES)
def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page, target):
    from django.urls import reverse

    page.goto(reverse(target[0], args=target[1:]) if isinstance(target, tuple) else target)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # hidden until focused, then shown

    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()
    expect(page).to_have_url(re.compile("#contenu$"))


def test_the_demo_parent_signs_in_and_out_on_a_phone(phone, screenshot):
    phone.goto("/")
    phone.get_by_role("link", name="Se connecter").click()
    expect(phone).to_have_url(re.compile(re.escape(login_url()) + "$"))

    phone.get_by_label("Adresse e-mail").fill(PARENT)
    phone.get_by_label("Mot de passe", exact=True).fill(content.DEMO_PASSWORD)
    phone.get_by_role("button", name="Se connecter").click()

    sign_out = phone.get_by_role("button", name="Se déconnecter")
    expect(sign_out).to_be_visible()
    expect(phone).not_to_have_url(re.compile(re.escape(login_url())))
    assert_accessible(phone, name="parent-connecte-telephone")
    screenshot(phone, "parent-connecte-telephone")

    sign_out.click()
    expect(phone.get_by_role("link", name="Se connecter")).to_be_visible()


def test_signing_in_with_the_keyboard_only(page):
    page.goto(login_url())
    # The e-mail field takes the focus on arrival: typing starts at once.
    expect(page.get_by_label("Adresse e-mail")).to_be_focused()
    page.keyboard.type(PARENT)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_focused()
    page.keyboard.type(content.DEMO_PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_a_wrong_password_is_announced_and_the_page_stays_accessible(phone, screenshot):
    phone.goto(login_url())
    # An unknown address: a wrong password on the demo parent could lock it.
    phone.get_by_label("Adresse e-mail").fill("personne@exemple.mq")
    phone.get_by_label("Mot de passe", exact=True).fill("pas-le-bon-mot-de-passe")
    phone.get_by_role("button", name="Se connecter").click()

    expect(phone.get_by_role("alert")).to_contain_text("incorrect")
    assert_accessible(phone, name="connexion-erreur-telephone")
    screenshot(phone, "connexion-erreur-telephone")
