"""The installable app's three files at the site root — manifest, service
worker, offline page — with their headers, the links every public page
carries, and the icons. What Chromium makes of them is in tests/e2e/test_pwa.py."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from inscrire import pwa
from tests.factories import GuardianFactory, site_home

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def sw_config(response) -> dict:
    line = next(line for line in response.content.decode().splitlines() if line.startswith("const CONFIG = "))
    return json.loads(line.removeprefix("const CONFIG = ").rstrip(";"))


def test_the_manifest_is_french_standalone_and_opens_mes_dossiers(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert response["Cache-Control"] == "no-cache"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Inscrire — inscriptions scolaires du Sud de la Martinique"
    assert manifest["short_name"] == "Inscrire" and manifest["lang"] == "fr"
    assert manifest["start_url"] == "/dossiers/" and manifest["scope"] == "/" and manifest["id"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b5e7a" and manifest["background_color"] == "#ffffff"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
        with Image.open(finders.find(icon["src"].removeprefix("/static/"))) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"


def test_the_manifest_speaks_english_to_an_english_browser(client):
    manifest = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").content)
    assert manifest["lang"] == "en"


def test_the_service_worker_is_served_from_the_root_with_its_headers(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    policy = _directives(response["Content-Security-Policy"])  # a worker runs under its own response's policy
    assert policy["connect-src"] == ["'self'"] and policy["script-src"] == ["'self'"]


def test_the_worker_keeps_only_static_files_and_the_offline_page(client):
    config = sw_config(client.get("/sw.js"))
    assert config["offline"] == "/hors-connexion/"
    assert config["cache"] == f"inscrire-shell-{config['version']}"
    assert [url for url in config["shell"] if not url.startswith("/static/")] == ["/hors-connexion/"]
    for url in config["shell"]:
        assert client.get(url).status_code == 200, url
    assert config["bypass"] == ["/cms/"]
    # The worker answers navigations from the network, and only falls back to the offline page.
    source = client.get("/sw.js").content.decode()
    assert "fetch(request).catch(" in source and "cache.put" not in source


def test_a_new_deployment_changes_the_cache_name(client, monkeypatch, tmp_path):
    pwa.cache_version.cache_clear()
    before = sw_config(client.get("/sw.js"))["cache"]
    changed = tmp_path / "site.css"
    changed.write_text("body { color: black; }")
    real_find = finders.find
    monkeypatch.setattr(pwa.finders, "find", lambda name: str(changed) if name == "cms/css/site.css" else real_find(name))
    pwa.cache_version.cache_clear()
    after = sw_config(client.get("/sw.js"))["cache"]
    pwa.cache_version.cache_clear()
    assert after != before and after.startswith("inscrire-shell-")


def test_the_offline_page_names_nobody_even_for_a_signed_in_guardian(client):
    guardian = GuardianFactory(first_name="Nadège", last_name="Joseph-Angélique", email="nadege@example.org")
    client.force_login(guardian)
    response = client.get("/hors-connexion/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-cache"
    html = response.content.decode()
    assert "Vous êtes hors connexion" in html
    assert "nadege@example.org" not in html and "Nadège" not in html
    assert "<form" not in html and "csrfmiddlewaretoken" not in html


@pytest.mark.parametrize("path", ["/", "/compte/connexion/", "/compte/inscription/etape-1/", "/page-inconnue/"])
def test_every_public_page_links_the_manifest_and_registers_the_worker(client, path):
    site_home(slug="accueil-pwa")
    html = client.get(path).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert re.search(r'<script src="/static/inscrire/js/pwa\.js" data-service-worker="/sw\.js" defer>', html)
    assert '<link rel="apple-touch-icon" href="/static/inscrire/icons/apple-touch-icon.png">' in html
    assert '<meta name="apple-mobile-web-app-status-bar-style" content="default">' in html
    assert '<meta name="theme-color" content="#0b5e7a">' in html


def test_public_pages_allow_the_worker_and_the_manifest_and_nothing_more(client):
    policy = _directives(client.get("/compte/connexion/")["Content-Security-Policy"])
    assert policy["worker-src"] == ["'self'"] and policy["manifest-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]


def test_the_icons_fit_android_and_ios():
    def icon(name):
        return Image.open(finders.find(f"inscrire/icons/{name}"))

    with icon("apple-touch-icon.png") as apple:
        assert apple.size == (180, 180) and apple.mode == "RGB"  # iOS wants it opaque
    with icon("icon-maskable-512.png") as maskable:
        assert maskable.getpixel((0, 0))[3] == 255  # fills the square: Android cuts its own shape
    with icon("icon-512.png") as any_icon:
        assert any_icon.getpixel((0, 0))[3] == 0  # rounded corners
    with icon("badge-96.png") as badge:
        assert badge.size == (96, 96) and badge.mode == "RGBA"
