"""French first, English on request: the footer's language switch (Django's
set_language), the browser's Accept-Language, and the English catalogue
(locale/en/LC_MESSAGES/django.po, compiled to django.mo) kept complete."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import site_home

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


@pytest.fixture
def home(db):
    return site_home(slug="accueil-i18n", title="Bienvenue sur Inscrire")


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _choose(client, language: str, next_url: str = "/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


# --- Who sees which language ---------------------------------------------------------------------------


def test_a_new_visitor_gets_french(client, home):
    html = _html(client.get("/"))
    assert '<html lang="fr">' in html
    assert "Se connecter" in html and "Aller au contenu" in html
    assert "Sign in" not in html


def test_a_french_browser_gets_french(client, home):
    html = _html(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9"))
    assert '<html lang="fr">' in html
    assert "Se connecter" in html


def test_an_english_browser_gets_english(client, home):
    html = _html(client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"))
    assert '<html lang="en">' in html
    assert "Sign in" in html and "Skip to content" in html
    assert "Se connecter" not in html


def test_the_switch_turns_the_home_and_login_pages_into_english(client, home):
    response = _choose(client, "en", "/compte/connexion/")
    assert response.status_code == 302
    assert response["Location"] == "/compte/connexion/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    login = _html(client.get("/compte/connexion/"))
    assert '<html lang="en">' in login
    assert '<button type="submit" class="button">Sign in</button>' in login
    assert "Email address" in login and "Forgotten your password?" in login
    assert "Se connecter" not in login

    home_html = _html(client.get("/"))
    assert "Create an account" in home_html and "School enrolment in the South of Martinique" in home_html
    assert '<option value="en" lang="en" selected>English</option>' in home_html


def test_the_choice_wins_over_the_browser_and_can_go_back_to_french(client, home):
    _choose(client, "en")
    assert "Sign in" in _html(client.get("/", HTTP_ACCEPT_LANGUAGE="fr"))
    _choose(client, "fr")
    html = _html(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Se connecter" in html and "Sign in" not in html


def test_english_form_errors_come_from_the_catalogue(client, db):
    _choose(client, "en", "/compte/connexion/")
    html = _html(client.post("/compte/connexion/", {"username": "personne@inscrire.example", "password": "faux"}))
    assert "Incorrect email address or password." in html


def test_an_unknown_language_or_a_foreign_next_changes_nothing(client, home):
    response = _choose(client, "de", "https://ailleurs.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"  # not the other site
    # Django may store "de" (it ships a German catalogue), but LANGUAGES has only fr and en.
    html = _html(client.get("/"))
    assert '<html lang="fr">' in html and "Se connecter" in html


def test_the_switch_is_a_plain_labelled_form_without_inline_script_or_style(client, home):
    html = _html(client.get("/compte/connexion/?next=/dossiers/"))
    form = re.search(r'<form method="post" action="/i18n/setlang/" class="language-switch">(.*?)</form>', html, re.S)
    assert form, "the footer's language switch is missing"
    form = form.group(1)
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="next" value="/compte/connexion/?next=/dossiers/">' in form
    assert '<label for="language-switch-select">Langue</label>' in form
    assert '<select id="language-switch-select" name="language">' in form
    assert '<option value="fr" lang="fr" selected>Français</option>' in form
    assert '<option value="en" lang="en">English</option>' in form
    assert '<button type="submit"' in form
    assert not re.search(r"\sstyle=|\son\w+=|<script", form)


def test_the_switch_posts_with_a_csrf_token(home):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert _choose(client, "en").status_code == 403
    page = _html(client.get("/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "Sign in" in _html(client.get("/"))


# --- The catalogue ------------------------------------------------------------------------------------


def _po_entries(path: Path) -> list[dict]:
    """The entries of a .po file (obsolete ones left out): msgid, msgid_plural,
    msgstr / msgstr[n], flags."""
    entries, entry, field = [], None, None

    def close():
        if entry and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += value
            else:
                entry[field[0]] += value
        else:
            keyword, _, value = line.partition(" ")
            value = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                field = ("msgstr", index)
                entry["msgstr"][index] = value
            else:
                field = (keyword, None)
                entry[keyword] = value
    close()
    return entries


def test_every_string_of_the_english_catalogue_is_translated():
    entries = [e for e in _po_entries(LOCALE_DIR / "django.po") if e["msgid"]]
    assert len(entries) > 1000
    untranslated = [e["msgid"] for e in entries if not all(v.strip() for v in e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"{len(untranslated)} string(s) without English: {untranslated[:10]} — see README (make messages)"
    assert not fuzzy, f"{len(fuzzy)} fuzzy string(s) to check: {fuzzy[:10]}"
    plurals = [e for e in entries if "msgid_plural" in e]
    assert plurals and all(set(e["msgstr"]) == {0, 1} for e in plurals)


def test_placeholders_survive_the_translation():
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{%.*?%\}")
    wrong = []
    for e in _po_entries(LOCALE_DIR / "django.po"):
        if not e["msgid"]:
            continue
        expected = sorted(set(placeholder.findall(e["msgid"] + e.get("msgid_plural", ""))))
        for translation in e["msgstr"].values():
            found = sorted(set(placeholder.findall(translation)))
            if found != expected and not ("msgid_plural" in e and set(found) <= set(expected)):
                wrong.append((e["msgid"], translation))
    assert not wrong, wrong[:5]


def test_the_compiled_catalogue_matches_the_po_file():
    """django.mo is committed (msgfmt may be missing on a fresh machine): it must be compiled from the
    current django.po."""
    with open(LOCALE_DIR / "django.mo", "rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    stale = []
    for e in _po_entries(LOCALE_DIR / "django.po"):
        if not e["msgid"]:
            continue
        if "msgid_plural" in e:
            ok = all(catalog.get((e["msgid"], n)) == e["msgstr"][n] for n in (0, 1))
        else:
            ok = catalog.get(e["msgid"]) == e["msgstr"][0]
        if not ok:
            stale.append(e["msgid"])
    assert not stale, f"django.mo is out of date ({len(stale)} strings): run compilemessages — {stale[:5]}"
