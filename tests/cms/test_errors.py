import pytest


@pytest.mark.django_db
def test_unknown_page_shows_the_portal_404_not_viewflows(client, demo):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "site.css" in html


@pytest.mark.django_db
def test_login_page_is_the_portals(client):
    response = client.get("/compte/connexion/")
    assert response.status_code == 200
    assert "Adresse e-mail" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_gets_a_french_message_and_keeps_the_email(client, demo):
    response = client.post("/compte/connexion/", {"username": "parent@inscrire.example", "password": "faux"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Adresse e-mail ou mot de passe incorrect." in html
    assert 'value="parent@inscrire.example"' in html


def test_server_error_page_renders_without_a_request():
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "momentanément indisponible" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "view, status, text",
    [
        ("permission_denied", 403, "Accès refusé"),
        ("bad_request", 400, "Requête invalide"),
        ("page_not_found", 404, "Page introuvable"),
    ],
)
def test_error_pages_are_the_portals_not_viewflows(rf, view, status, text):
    """Viewflow ships site-wide 400/403/404/500 templates; ours are found first."""
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.views import defaults

    request = rf.get("/quelque-part/")
    request.user = AnonymousUser()
    exception = {"permission_denied": PermissionDenied(), "page_not_found": Http404()}.get(view, Exception())
    response = getattr(defaults, view)(request, exception)
    html = response.content.decode()
    assert response.status_code == status
    assert text in html and "cms/css/site.css" in html
    assert "viewflow" not in html.lower()
