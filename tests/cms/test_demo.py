"""The demo loader: idempotent, and the seed help page rendered word for word."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Page

from inscrire.demo import content
from inscrire.demo.loader import load_demo
from cms.models import HelpPage, School

SEED = Path(content.__file__).parent / "seed" / "inscriptions-2020-2021.md"


def seed_fragments() -> list[str]:
    """Every piece of text of the seed, without its Markdown: headings,
    bold labels, sentences, link texts and addresses."""
    text = SEED.read_text(encoding="utf-8")
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1", text)  # [text](url) -> text
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)  # <url> -> url
    fragments = []
    for line in text.splitlines():
        line = re.sub(r"^#+\s*(\d+\.\s*)?", "", line).strip()  # headings and their numbers
        line = re.sub(r"^\d+\.\s+", "", line)  # numbered list items
        for part in re.split(r"\*\*|\*", line):
            part = part.strip()
            if part.startswith("→") or part.endswith("→"):
                part = part.strip("→ ").strip()
            if len(part) >= 4 and not part.isdigit():
                fragments.append(part)
    return fragments


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(a|b|strong|em|i|span)\b[^>]*>", "", html)  # inline tags join their text
    text = re.sub(r"<[^>]+>", " ", html)
    text = text.replace("&#39;", "'").replace("&amp;", "&").replace("&quot;", '"').replace("&nbsp;", " ")
    return re.sub(r"\s+", " ", text)


@pytest.mark.django_db
def test_demo_loader_is_idempotent():
    load_demo()
    counts = (Page.objects.count(), School.objects.count(), get_user_model().objects.count())
    second = load_demo()
    assert second.created == []
    assert (Page.objects.count(), School.objects.count(), get_user_model().objects.count()) == counts
    assert HelpPage.objects.filter(url_path__contains="/inscriptions-2020-2021/").count() == 3
    # Terms of use set, and every school has rules to accept at sign-up.
    from cms.models import PortalSettings, SchoolRules
    from wagtail.models import Site

    assert PortalSettings.for_site(Site.objects.get(is_default_site=True)).terms_page is not None
    assert SchoolRules.objects.values("school").distinct().count() == School.objects.count()
    assert School.objects.filter(postal_code="97228", commune="Sainte-Luce").exists()


@pytest.mark.django_db
def test_every_fragment_of_the_seed_is_on_the_help_pages(client, demo):
    pages = [client.get("/"), client.get("/inscriptions-2020-2021/")]
    pages += [client.get(page.url) for page in HelpPage.objects.filter(url_path__contains="/inscriptions-2020-2021/")]
    assert all(response.status_code == 200 for response in pages)
    site_text = " ".join(visible_text(r.content.decode()) for r in pages)
    missing = [fragment for fragment in seed_fragments() if fragment not in site_text]
    assert seed_fragments(), "the seed was not read"
    assert missing == []


@pytest.mark.django_db
def test_help_pages_keep_the_seed_structure(client, demo):
    html = client.get("/inscriptions-2020-2021/comment-proceder/").content.decode()
    # Steps are numbered lists that resume after the « Attention » box.
    assert '<ol class="steps" start="1">' in html
    assert '<ol class="steps" start="2">' in html
    assert 'class="callout callout--attention"' in html
    assert 'href="https://portail.eticket-app.qiis.fr/famille/index.html"' in html
    assert 'href="/inscriptions-2020-2021/ouvrir-un-compte/"' in html  # « Pour plus d'infos »
    html = client.get("/inscriptions-2020-2021/ouvrir-un-compte/").content.decode()
    assert html.count('class="step"') == 5
    html = client.get("/inscriptions-2020-2021/comment-payer/").content.decode()
    assert "au plus tard le 20 du mois précédent le mois de consommation" in html
    assert 'href="http://soges972.fr"' in html


@pytest.mark.django_db
def test_demo_accounts_can_sign_in(client, demo):
    editor = next(login for login in demo.logins if login.role == "rédacteur")
    assert client.login(username=editor.email, password=editor.password)
    response = client.get("/cms/")
    assert response.status_code == 200
    assert "Rose" in response.content.decode()


@pytest.mark.django_db
def test_public_pages_are_in_french_with_an_accessible_layout(client, demo):
    html = client.get("/").content.decode()
    assert '<html lang="fr">' in html
    assert 'href="#contenu"' in html  # skip link
    assert '<meta name="viewport"' in html
    assert "/static/cms/css/site.css" in html  # local asset, no CDN
    assert "https://cdn" not in html


@pytest.mark.django_db
def test_demo_has_three_procedures_composed_of_stages_in_the_cms(client, demo):
    """The enrolment as a mairie runs it (mairie → dérogation when asked →
    school → payment → attestation), after-school care with one review by
    the after-school service, the canteen with no review — only their
    pages' stages differ."""
    from workflows.models import ProcedurePage

    def shape(slug):
        page = ProcedurePage.objects.get(slug=slug)
        assert client.get(page.url).status_code == 200
        return [(s["kind"], s["title"]) for s in page.compiled_stages()]

    assert shape("inscription-2026-2027") == [
        ("review", "Inscription en mairie"), ("review", "Demande de dérogation"),
        ("review", "Admission par l'école"), ("payment", "Paiement"), ("attestation", ""),
    ]
    assert shape("periscolaire-2026-2027") == [("review", "Validation par le service périscolaire")]
    assert shape("restauration-scolaire-2026-2027") == [("payment", "Paiement de la cantine")]
