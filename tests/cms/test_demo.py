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


@pytest.mark.django_db
def test_demo_dossiers_stand_in_every_state_with_history_and_messages(client, django_capture_on_commit_callbacks):
    from billing.constants import PaymentMode
    from billing.models import PaymentArrangement
    from workflows.constants import DossierAction, DossierState
    from workflows.models import Attestation, Dossier, DossierEvent

    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    states = set(Dossier.objects.values_list("state", flat=True))
    assert states == {DossierState.SUBMITTED, DossierState.CORRECTION, DossierState.AWAITING_PAYMENT,
                      DossierState.CONFIRMED, DossierState.REFUSED, DossierState.WITHDRAWN}
    waiting_modes = set(PaymentArrangement.objects.filter(dossier__state=DossierState.AWAITING_PAYMENT)
                        .values_list("mode", flat=True))
    assert waiting_modes == {PaymentMode.SEPA, PaymentMode.CARD, PaymentMode.CASH}
    confirmed = Dossier.objects.get(state=DossierState.CONFIRMED)
    assert Attestation.objects.filter(dossier=confirmed).exists()
    assert DossierEvent.objects.filter(action=DossierAction.MESSAGE).count() >= 3

    # The demo parent sees her four children's dossiers, each in its state.
    assert client.login(username="parent@inscrire.example", password=content.DEMO_PASSWORD)
    page = visible_text(client.get("/dossiers/").content.decode())
    for name in ("Léa", "Noé", "Jade", "Hugo"):
        assert name in page
    assert "Compléments demandés" in page and "Confirmé" in page
    # The form's wording says the procedure's year.
    lea = Dossier.objects.get(child__first_name="Léa")
    detail = visible_text(client.get(f"/dossiers/{lea.submission.public_id}/").content.decode())
    assert "Niveau demandé pour l'année scolaire 2026-2027" in detail and "rentrée 2026" not in detail
    # No other family's dossier on her pages.
    assert "Lola" not in page and "Inès" not in page

    # The director finds one waiting on the dashboard.
    client.logout()
    assert client.login(username="direction.sainte-luce-maternelle@inscrire.example", password=content.DEMO_PASSWORD)
    assert "1 dossier attend votre décision." in client.get("/cms/").content.decode()

    # Loading again adds nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = load_demo()
    assert again.created == []
    assert Dossier.objects.count() == 8


@pytest.mark.django_db
def test_home_page_leads_with_this_years_procedures_and_keeps_the_archive(client, demo):
    html = client.get("/").content.decode()
    current = html.index('id="aide-titre"')
    archives = html.index('id="archives-titre"')
    assert current < archives
    first_card = re.search(r'<li class="card"><a href="[^"]+">([^<]+)</a>', html[current:])[1]
    assert "2026" in first_card and "2020" not in first_card
    assert html.index("Inscriptions 2020 - 2021") > archives
    assert "Inscriptions scolaires 2026-2027" in html[current:archives]
