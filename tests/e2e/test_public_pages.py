"""Every public page a family can open without an account: rendered in
Chromium on a phone and on a laptop, free of serious accessibility problems,
and photographed."""

import re

import pytest

from inscrire.demo import content

from .a11y import assert_accessible

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

HELP_INDEX = f"/{content.HELP_INDEX['slug']}/"
PUBLIC_PAGES = [
    pytest.param("/", content.HOME["title"], id="accueil"),
    pytest.param(HELP_INDEX, content.HELP_INDEX["title"], id="aide"),
    *(pytest.param(f"{HELP_INDEX}{slug}/", title, id=f"aide-{slug}") for slug, title, *_ in content.HELP_PAGES),
]


def assert_portal_frame(page):
    """The portal's name, not the server's host, in the title and the header."""
    expect(page).to_have_title(re.compile(r" — Inscrire$"))
    expect(page.locator("header a.brand")).to_contain_text("Inscrire")
    assert page.evaluate("document.documentElement.lang") == "fr"


@pytest.mark.parametrize("viewport", ["telephone", "ordinateur"])
@pytest.mark.parametrize(("path", "title"), PUBLIC_PAGES)
def test_public_page(new_page, screenshot, request, path, title, viewport):
    page = new_page(viewport)
    response = page.goto(path)
    assert response.status == 200
    expect(page).to_have_title(f"{title} — Inscrire")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_portal_frame(page)
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    name = request.node.callspec.id
    assert_accessible(page, name=name)
    screenshot(page, name)


# Account pages open to anyone: (URL name, its arguments, the page's h1).
ACCOUNT_PAGES = [
    pytest.param("accounts:login", [], "Se connecter", id="connexion"),
    pytest.param("accounts:signup_step", [1], "Créer votre compte famille", id="inscription-etape-1"),
    pytest.param("accounts:password_reset", [], "Mot de passe oublié", id="mot-de-passe-oublie"),
]


@pytest.mark.parametrize("viewport", ["telephone", "ordinateur"])
@pytest.mark.parametrize(("url_name", "args", "heading"), ACCOUNT_PAGES)
def test_account_page(new_page, screenshot, request, url_name, args, heading, viewport):
    from django.urls import reverse

    page = new_page(viewport)
    assert page.goto(reverse(url_name, args=args)).status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_portal_frame(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, name=request.node.callspec.id)
    screenshot(page, request.node.callspec.id)

    # Sent empty: the errors are announced and the page stays accessible.
    page.locator("main form").last.get_by_role("button").first.click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_accessible(page, name=f"{request.node.callspec.id}-erreurs")
    screenshot(page, f"{request.node.callspec.id}-erreurs")


@pytest.mark.parametrize("viewport", ["telephone", "ordinateur"])
def test_not_found_page(new_page, screenshot, viewport):
    page = new_page(viewport)
    assert page.goto("/cette-page-n-existe-pas/").status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    assert_portal_frame(page)
    expect(page.get_by_role("link", name="Revenir à l'accueil")).to_be_visible()
    assert_accessible(page, name=f"404-{viewport}")
    screenshot(page, f"404-{viewport}")
