"""The Content-Security-Policy is really satisfied: the pages a family opens
load in Chromium without a single violation (the browser reports each one
both as a `securitypolicyviolation` event and on the console)."""

import re

import pytest

from inscrire.demo import content
from inscrire.demo.enrolment import SLUG

from .browser import ACTION_TIMEOUT_MS, VIEWPORTS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

PARENT = "parent@inscrire.example"
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
PUBLIC = ["/", f"/{content.HELP_INDEX['slug']}/", "/compte/connexion/", "/compte/inscription/etape-1/",
          "/compte/mot-de-passe/oublie/", "/une-page-qui-n-existe-pas/"]
FAMILY = ["/compte/", "/dossiers/"]


@pytest.fixture
def watched(browser, app):
    """A page in a context of its own, every CSP violation collected."""
    context = browser.new_context(base_url=app.url, locale="fr-FR", **VIEWPORTS["telephone"])
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.add_init_script(LISTEN)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    yield page, console
    context.close()


def _violations(page, console) -> list[str]:
    return [*page.evaluate("window.__cspViolations || []"), *console]


def test_public_and_family_pages_load_without_any_csp_violation(watched):
    page, console = watched
    problems = []
    for path in PUBLIC:
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("load")
        problems += [f"{path}: {v}" for v in _violations(page, console)]
        console.clear()

    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(PARENT)
    page.get_by_label("Mot de passe", exact=True).fill(content.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    paths = list(FAMILY)
    # Open a dossier on the demo form: its step carries the progress bar and dossier.js.
    page.goto(f"/{SLUG}/")
    # The demo's children all have a dossier on it already: the one the school sent back for
    # corrections is reopened at its step (a child without one would be started instead).
    start = page.get_by_role("button", name=re.compile("^Commencer le dossier de"))
    if start.count():
        start.first.click()
    else:
        page.get_by_role("link", name="Reprendre le dossier").first.click()
    expect(page.locator(".progress__fill")).to_have_count(1)
    problems += [f"{page.url}: {v}" for v in _violations(page, console)]
    console.clear()
    page.goto("/dossiers/")
    hrefs = page.eval_on_selector_all("main a[href^='/dossiers/']", "els => els.map(e => e.getAttribute('href'))")
    paths += [h for h in hrefs if re.match(r"^/dossiers/[0-9a-f-]{36}/", h)][:4]
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("load")
        problems += [f"{path}: {v}" for v in _violations(page, console)]
        console.clear()
    assert not problems, "Violations de la Content-Security-Policy :\n" + "\n".join(problems)
