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
