"""The « Installer l'application » help block, and this year's demo help
pages that use it in place of the seed's store links."""

import pytest

from cms.models import HelpIndexPage, HelpPage
from tests.factories import site_home

pytestmark = pytest.mark.django_db


def test_the_block_renders_the_prompt_button_the_ios_steps_and_a_fallback(client):
    home = site_home(slug="accueil-installer")
    index = home.add_child(instance=HelpIndexPage(title="Aide", slug="aide"))
    body = [{"type": "install_app", "value": {"title": "Installez l'application mobile", "intro": "<p>Bienvenue.</p>"}}]
    page = index.add_child(instance=HelpPage(title="Installer", slug="installer", summary="", body=body))
    html = client.get(page.url).content.decode().replace("&#39;", "'").replace("&#x27;", "'")
    assert '<section class="install-app" data-install-app>' in html
    assert "<h2 class=\"install-app__title\">Installez l'application mobile</h2>" in html
    assert "<p>Bienvenue.</p>" in html
    assert '<div data-install-state="prompt" hidden>' in html and "data-install-button" in html
    assert '<div data-install-state="ios" hidden>' in html
    assert "Touchez le bouton <strong>Partager</strong>" in html
    assert "Choisissez <strong>Sur l'écran d'accueil</strong>" in html
    # Without JavaScript, the instructions for every phone stay visible.
    assert '<div data-install-state="other">' in html


def test_this_years_help_replaces_the_store_links_and_keeps_the_seeds_archive(client, demo):
    current = client.get("/inscriptions-2026-2027/comment-proceder/").content.decode()
    assert "data-install-app" in current
    assert "stores" not in current and "eticket" not in current.lower()
    assert 'href="/inscriptions-2026-2027/ouvrir-un-compte/"' in current  # its « Pour plus d'infos »
    archive = client.get("/inscriptions-2020-2021/comment-proceder/").content.decode()
    assert "data-install-app" not in archive
    assert "disponible gratuitement sur tous les stores" in archive
    home = client.get("/").content.decode()
    assert home.index("Inscriptions 2026 - 2027") < home.index("Inscriptions 2020 - 2021")
    assert HelpPage.objects.filter(url_path__contains="/inscriptions-2026-2027/").count() == 3
