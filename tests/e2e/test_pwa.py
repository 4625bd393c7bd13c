"""The portal as an installable app, in Chromium (issue 20).

These tests use a *persistent* Chromium profile, not the harness's browser
contexts: Playwright's ``new_context()`` is an off-the-record profile, for
which Chromium reports « in-incognito » to ``Page.getInstallabilityErrors``
whatever the site does. So this module starts Playwright itself (one per
module, like ``conftest.browser``) and a fresh profile per test.

- the manifest is linked from every public page and Chromium reads it
  without error (DevTools ``Page.getAppManifest``);
- the service worker registers and controls the page, and Chromium reports
  no installability error (``Page.getInstallabilityErrors``);
- with the network cut (``context.set_offline(True)``) a navigation gets the
  offline page, styled from the cached shell;
- a signed-in page is never in the cache, and offline it is the offline
  page, naming nobody, that shows;
- the « Installer l'application » block: the browser's install prompt on
  Chromium, the « Partager → Sur l'écran d'accueil » steps on an iPhone;
- « Mon compte » offers notifications on this device; a device registered
  the way push.js does it, on a push service of the test, gets a push sent
  by the live app's own consumer, decrypted with the device's keys;
- axe on the offline page, the block (both ways) and « Mon compte ».
"""

from __future__ import annotations

import re
import tempfile

import pytest

from inscrire.demo import content

from .a11y import assert_accessible
from .browser import ACTION_TIMEOUT_MS, CHROMIUM, CHROMIUM_FLAGS, VIEWPORTS, screenshot
from .server import wait_until

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

PARENT = "parent@inscrire.example"
PARENT_NAME = "Marie Joseph"  # the demo parent, shown in the header when signed in
CURRENT = f"/{content.CURRENT_HELP_INDEX['slug']}/"
ARCHIVE = f"/{content.HELP_INDEX['slug']}/"
INSTALL_PAGE = f"{CURRENT}comment-proceder/"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)
PUBLIC_PAGES = [
    "/",
    CURRENT,
    ARCHIVE,
    *(f"{CURRENT}{slug}/" for slug, *_ in content.CURRENT_HELP_PAGES),
    *(f"{ARCHIVE}{slug}/" for slug, *_ in content.HELP_PAGES),
    "/compte/connexion/",
    "/compte/inscription/etape-1/",
    "/compte/mot-de-passe/oublie/",
    "/hors-connexion/",
    "/cette-page-n-existe-pas/",
]

CACHE_CONTENTS = """async () => {
  const contents = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    contents[name] = (await cache.keys()).map((request) => new URL(request.url).pathname);
  }
  return contents;
}"""


@pytest.fixture(scope="module")
def playwright(app):
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with sync_playwright() as instance:
        yield instance


@pytest.fixture
def phone(playwright, app, request):
    """A phone with a profile of its own (not off the record), French."""
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="inscrire-profil-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS, base_url=app.url,
            locale="fr-FR", timezone_id="America/Martinique", **VIEWPORTS["telephone"],
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url} : {error}"))
        try:
            yield page
        finally:
            call = getattr(request.node, "rep_call", None)
            if call is not None and call.failed:
                screenshot(page, f"ECHEC-{request.node.name}")
            context.close()
    assert not errors, "Erreurs JavaScript dans la page :\n" + "\n".join(errors)


def controlled(page) -> None:
    """Wait until the service worker controls the page (it claims it on activation).
    A promise, not ``wait_for_function``: the page's CSP forbids the eval it uses."""
    page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) {
            await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
        }
    }""")


def devtools(page, method: str) -> dict:
    return page.context.new_cdp_session(page).send(method)


def sign_in(page) -> None:
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(PARENT)
    page.get_by_label("Mot de passe", exact=True).fill(content.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_the_manifest_is_linked_from_every_public_page_and_valid(phone, app):
    for path in PUBLIC_PAGES:
        phone.goto(path)
        assert phone.locator('link[rel="manifest"]').get_attribute("href") == "/manifest.webmanifest", path
        manifest = devtools(phone, "Page.getAppManifest")
        assert manifest["url"] == f"{app.url}/manifest.webmanifest", path
        assert manifest["errors"] == [], (path, manifest["errors"])
    assert phone.locator('link[rel="apple-touch-icon"]').count() == 1


def test_the_worker_controls_the_page_and_chromium_finds_no_installability_error(phone, app):
    phone.goto("/")
    controlled(phone)
    worker = phone.evaluate("""async () => {
        const registration = await navigator.serviceWorker.ready;
        return { script: navigator.serviceWorker.controller.scriptURL, scope: registration.scope };
    }""")
    assert worker == {"script": f"{app.url}/sw.js", "scope": f"{app.url}/"}
    assert devtools(phone, "Page.getInstallabilityErrors")["installabilityErrors"] == []
    screenshot(phone, "pwa-accueil-installable")


def test_with_the_network_cut_the_offline_page_shows(phone):
    phone.goto("/")
    controlled(phone)
    phone.context.set_offline(True)
    try:
        phone.goto(f"{CURRENT}comment-payer/")  # never visited: only the worker can answer
        expect(phone.get_by_role("heading", level=1)).to_have_text("Vous êtes hors connexion")
        expect(phone).to_have_title("Hors connexion — Inscrire")
        # Styled: site.css came from the worker's cache.
        assert phone.evaluate(
            "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
        ) == "rgb(11, 94, 122)"
        assert_accessible(phone, name="pwa-hors-connexion")
        screenshot(phone, "pwa-hors-connexion")
    finally:
        phone.context.set_offline(False)
    phone.goto(f"{CURRENT}comment-payer/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Comment payer ?")


def test_a_signed_in_page_is_never_served_from_the_cache(phone):
    phone.goto("/")
    controlled(phone)
    sign_in(phone)
    for path in ("/dossiers/", "/compte/"):
        response = phone.goto(path)
        assert response.status == 200 and "no-store" in response.headers["cache-control"], path
        expect(phone.locator(".nav__user")).to_have_text(PARENT_NAME)

    caches = phone.evaluate(CACHE_CONTENTS)
    assert len(caches) == 1 and next(iter(caches)).startswith("inscrire-shell-"), caches
    (kept,) = caches.values()
    assert "/hors-connexion/" in kept
    assert all(path.startswith("/static/") or path == "/hors-connexion/" for path in kept), kept

    phone.context.set_offline(True)
    try:
        phone.goto("/dossiers/")
        expect(phone.get_by_role("heading", level=1)).to_have_text("Vous êtes hors connexion")
        body = phone.locator("body").inner_text()
        assert PARENT_NAME not in body and PARENT not in body and "Se déconnecter" not in body and "Léa" not in body
    finally:
        phone.context.set_offline(False)


def test_the_install_block_offers_the_browsers_prompt_on_chromium(phone):
    # Chromium's own event (headless Chromium fires it once the site is installable, when it
    # pleases, and its prompt() never answers there) is stopped before any script of the page
    # runs, in every document of this test: the page only ever sees the event the test sends.
    phone.add_init_script("""window.addEventListener("beforeinstallprompt", (real) => {
        if (!real.synthetic) { real.preventDefault(); real.stopImmediatePropagation(); }
    }, true);""")
    phone.goto(INSTALL_PAGE)
    block = phone.locator("[data-install-app]")
    expect(block.get_by_role("heading", name="Installez l'application mobile")).to_be_visible()
    expect(block).to_have_attribute("data-install-shown", "other")
    # Chromium's event, as it fires once the site is installable.
    phone.evaluate("""() => {
        const event = new Event("beforeinstallprompt", { cancelable: true });
        event.synthetic = true;
        event.prompt = () => { window.installPrompted = true; return Promise.resolve(); };
        event.userChoice = Promise.resolve({ outcome: "accepted", platform: "web" });
        window.dispatchEvent(event);
    }""")
    button = block.get_by_role("button", name="Installer l'application")
    expect(button).to_be_visible()
    # Only the prompt: neither the iOS steps nor the every-phone instructions.
    expect(block.locator('[data-install-state]:not([hidden])')).to_have_count(1)
    expect(block.locator(".install-app__steps")).to_be_hidden()
    assert_accessible(phone, name="pwa-bloc-installer-android")
    screenshot(phone, "pwa-bloc-installer-android")
    button.click()
    phone.wait_for_function("window.installPrompted === true")
    expect(block.get_by_text("L'application est installée sur cet appareil")).to_be_visible()


def test_the_install_block_shows_the_two_ios_steps_on_an_iphone(playwright, app):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    try:
        context = browser.new_context(base_url=app.url, locale="fr-FR", user_agent=IPHONE, **VIEWPORTS["telephone"])
        page = context.new_page()
        page.goto(INSTALL_PAGE)
        block = page.locator("[data-install-app]")
        expect(block).to_have_attribute("data-install-shown", "ios")
        steps = block.locator(".install-app__steps li")
        expect(steps).to_have_count(2)
        expect(steps.nth(0)).to_contain_text("Touchez le bouton Partager")
        expect(steps.nth(1)).to_contain_text("Sur l'écran d'accueil")
        expect(block.get_by_role("button", name="Installer l'application")).to_be_hidden()
        expect(block.locator('[data-install-state]:not([hidden])')).to_have_count(1)
        assert_accessible(page, name="pwa-bloc-installer-iphone")
        screenshot(page, "pwa-bloc-installer-iphone")
    finally:
        browser.close()


def test_mon_compte_turns_notifications_on_and_a_push_reaches_the_device(phone, app):
    from tests.notifications.pushservice import PushService

    phone.goto("/")
    controlled(phone)
    sign_in(phone)
    phone.goto("/compte/")
    section = phone.locator("section[data-push]")
    expect(section.get_by_role("heading", name="Notifications sur le téléphone")).to_be_visible()
    expect(section.get_by_role("button", name="Activer les notifications sur cet appareil")).to_be_visible()
    assert_accessible(phone, name="pwa-mon-compte-notifications")
    screenshot(phone, "pwa-mon-compte-notifications")

    with PushService(app.env["WEBPUSH_VAPID_PUBLIC_KEY"]) as service:
        # What push.js posts once the browser subscribed (headless Chromium has
        # no push service of its own to subscribe with: the test's stands in).
        device = service.device("telephone-e2e")
        status = phone.evaluate(
            """async (subscription) => {
                const form = document.querySelector('[data-push-form="on"]');
                const data = new FormData(form);
                for (const [name, value] of Object.entries(subscription)) data.append(name, value);
                const response = await fetch(form.action, { method: "POST", body: data, credentials: "same-origin" });
                return response.status;
            }""",
            {"endpoint": device.endpoint, "p256dh": device.p256dh, "auth": device.auth},
        )
        assert status == 201
        phone.reload()
        expect(phone.get_by_text("Les notifications sont activées sur cet appareil.")).to_be_visible()
        expect(section.get_by_role("heading", name="Appareils où les notifications sont activées")).to_be_visible()
        expect(section.locator("[data-endpoint]")).to_contain_text("Chrome sur Linux")
        # This browser holds no subscription of its own (the test's device stood in): not « cet appareil ».
        expect(section.locator("[data-this-device]")).to_be_hidden()
        assert_accessible(phone, name="pwa-mon-compte-appareil")
        screenshot(phone, "pwa-mon-compte-appareil")

        # An event for this guardian, sent by the live app's consumer.
        app.shell(
            "from django.contrib.auth import get_user_model\n"
            "from notifications.constants import Event\n"
            "from notifications.services import notify\n"
            "from notifications.variables import sample_context\n"
            f"parent = get_user_model().objects.get(email={PARENT!r})\n"
            "notify(event=Event.PAYMENT_REMINDER, recipient=parent.email, key='e2e-push', "
            "context=sample_context(Event.PAYMENT_REMINDER), user=parent)\n"
        )
        wait_until(lambda: device.received, timeout=60, what="the push from the live app's consumer")
        (message,) = device.received
        assert message.payload["title"] == "Inscrire"
        assert message.payload["body"].startswith("Rappel : un paiement est attendu avant le 20 décembre 2026")
        assert service.refused == []

    section.get_by_role("button", name=re.compile("^Retirer")).click()
    expect(phone.get_by_text("Les notifications sont désactivées sur cet appareil.")).to_be_visible()
    expect(section.locator("[data-endpoint]")).to_have_count(0)
