"""Web hardening: the headers every answer carries, the Content-Security-
Policy public pages really satisfy, request size limits, cookies, and the
production settings."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.cms.test_settings import PRODUCTION, manage
from tests.factories import GuardianFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_TEMPLATES = ROOT / "templates" / "jinja2"
# Rendered only inside the Wagtail admin's preview (/cms/…), under the admin's policy.
ADMIN_ONLY_TEMPLATES = {"forms/preview.html"}


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_public_pages_carry_a_strict_policy(client):
    for url in ("/compte/connexion/", "/compte/inscription/etape-1/", "/page-inconnue/"):
        response = client.get(url)
        policy = _directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]


def test_the_admin_gets_its_own_policy_inline_allowed_nothing_foreign():
    client = Client()
    client.force_login(UserFactory(editor=True))
    response = client.get("/cms/")
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["script-src"]
    assert all(source in {"'self'", "'unsafe-inline'"} for source in policy["script-src"])
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]


def _preview(client, edit_url: str, url: str, form_id: str, mode: str = "", **extra: str):
    """Post the editor's form as the preview panel does, then open the
    preview as its iframe does."""
    from wagtail.test.utils.form_data import querydict_from_html

    edit = client.get(edit_url)
    data = querydict_from_html(edit.content.decode(), form_id=form_id).copy()
    data.update(extra)  # what the admin's scripts would add (an empty StreamField's count)
    assert client.post(url, {key: data.getlist(key) for key in data}).json()["is_valid"]
    return client.get(url + f"?mode={mode}&in_preview_panel=true")


@pytest.mark.parametrize("kind", ["page", "message"])
def test_previews_are_served_with_the_admin_policy_framable_by_the_admin_only(kind):
    """A page's preview and a message's preview open in the admin's preview
    panel: their answer may be framed by the admin's own origin, no other."""
    from django.urls import reverse

    from notifications.constants import Event
    from notifications.models import MessageTemplate
    from tests.factories import site_home

    client = Client()
    client.force_login(UserFactory(editor=True))
    if kind == "page":
        home = site_home(slug="accueil-apercu", title="Bienvenue sur Inscrire")
        response = _preview(client, f"/cms/pages/{home.pk}/edit/", f"/cms/pages/{home.pk}/edit/preview/", "page-edit-form", **{"body-count": "0"})
        expected = "Bienvenue sur Inscrire"
    else:
        template = MessageTemplate.objects.get(event=Event.PAYMENT_REMINDER)
        url = reverse("wagtailsnippets_notifications_messagetemplate:preview_on_edit", args=[template.pk])
        edit = reverse("wagtailsnippets_notifications_messagetemplate:edit", args=[template.pk])
        response = _preview(client, edit, url, "w-editor-form")
        expected = "Exemple sur un dossier fictif"
    assert response.status_code == 200
    assert expected in response.content.decode()
    policy = _directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert all(source in {"'self'", "'unsafe-inline'"} for source in policy["script-src"])
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    # The public page itself keeps the public policy.
    if kind == "page":
        public = Client().get("/")
        assert _directives(public["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


def test_pages_of_signed_in_people_are_never_cached():
    client = Client()
    client.force_login(GuardianFactory())
    response = client.get("/compte/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_csrf_cookie_is_hidden_from_scripts_and_same_site(client):
    response = client.get("/compte/connexion/")
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_an_oversized_body_is_refused_before_being_read(client):
    response = client.post(
        "/compte/connexion/", data=b"x", content_type="application/octet-stream",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BODY_SIZE + 1),
    )
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.content.decode()


def test_too_many_fields_is_a_clean_400(client):
    data = {f"champ{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5)}
    response = client.post("/compte/connexion/", data)
    assert response.status_code == 400


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_public_templates_have_nothing_inline_the_policy_would_block():
    found = []
    for path in sorted(PUBLIC_TEMPLATES.rglob("*.html")):
        name = path.relative_to(PUBLIC_TEMPLATES).as_posix()
        if name in ADMIN_ONLY_TEMPLATES:
            continue
        text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)
        for pattern, what in INLINE:
            if pattern.search(text):
                found.append(f"{name}: {what}")
    assert not found, "Move these to a static file (CSP script-src/style-src 'self'):\n" + "\n".join(found)


def test_production_settings_harden_cookies_and_transport(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.X_FRAME_OPTIONS, "
        "s.STAFF_2FA_REQUIRED)"
    )
    result = manage("shell", "-c", code, DATA_DIR=str(tmp_path), **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "True", "True", "True", "True", "True", "Lax", "DENY", "True"]
