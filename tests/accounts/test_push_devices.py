"""« Mon compte » › Notifications sur le téléphone: a guardian turns push
notifications on and off device by device; the option is hidden, and its
URLs are a 404, while the portal has no VAPID key."""

import base64
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from notifications.models import PushSubscription
from tests.factories import UserFactory

from .helpers import text

pytestmark = pytest.mark.django_db

ANDROID = "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_subscription(name: str = "telephone") -> dict:
    """What a browser's PushSubscription.toJSON() gives, on the local push service."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return {
        "endpoint": f"http://127.0.0.1:9/push/{name}",
        "p256dh": b64url(key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)),
        "auth": b64url(os.urandom(16)),
    }


def test_without_keys_the_option_is_hidden_and_its_urls_are_404(client, parent):
    client.force_login(parent)
    page = text(client.get("/compte/"))
    assert "Notifications sur le téléphone" not in page and "push.js" not in page
    assert client.post("/compte/notifications/activer/", browser_subscription()).status_code == 404
    assert client.post("/compte/notifications/desactiver/", {"subscription": "1"}).status_code == 404


def test_the_account_page_offers_it_with_the_portals_key(client, parent, push_on):
    client.force_login(parent)
    page = text(client.get("/compte/"))
    assert "Notifications sur le téléphone" in page
    assert f'data-public-key="{push_on[0]}"' in page
    assert "/static/accounts/js/push.js" in page
    assert "Activer les notifications sur cet appareil" in page
    # No device yet: no list.
    assert "Appareils où les notifications sont activées" not in page


def test_a_guardian_turns_a_device_on_then_off(client, parent, other_parent, push_on):
    client.force_login(parent)
    subscription = browser_subscription()
    response = client.post("/compte/notifications/activer/", subscription, HTTP_USER_AGENT=ANDROID)
    assert response.status_code == 201 and response.json() == {"ok": True}
    (device,) = PushSubscription.objects.all()
    assert device.user == parent and device.label == "Chrome sur Android" and device.endpoint == subscription["endpoint"]

    page = text(client.get("/compte/"))
    assert "Les notifications sont activées sur cet appareil." in page  # the flash message, after push.js reloads
    assert "Chrome sur Android" in page and f'data-endpoint="{subscription["endpoint"]}"' in page

    # Another family cannot remove it, by id or by endpoint.
    client.force_login(other_parent)
    client.post("/compte/notifications/desactiver/", {"subscription": str(device.pk)})
    client.post("/compte/notifications/desactiver/", {"endpoint": subscription["endpoint"]})
    assert PushSubscription.objects.filter(pk=device.pk).exists()
    assert "Chrome sur Android" not in text(client.get("/compte/"))

    client.force_login(parent)
    response = client.post("/compte/notifications/desactiver/", {"endpoint": subscription["endpoint"]})
    assert response.status_code == 302 and response["Location"] == "/compte/#notifications"
    assert not PushSubscription.objects.exists()


def test_the_list_removes_a_device_by_its_own_form(client, parent, push_on):
    client.force_login(parent)
    client.post("/compte/notifications/activer/", browser_subscription("a"), HTTP_USER_AGENT=ANDROID)
    client.post("/compte/notifications/activer/", browser_subscription("b"))
    first = PushSubscription.objects.get(endpoint__endswith="/a")
    response = client.post("/compte/notifications/desactiver/", {"subscription": str(first.pk)}, follow=True)
    assert "Les notifications sont désactivées sur cet appareil." in text(response)
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == ["http://127.0.0.1:9/push/b"]


def test_a_bad_subscription_is_refused_in_french(client, parent, push_on):
    client.force_login(parent)
    bad_host = {**browser_subscription(), "endpoint": "https://collecte.example/push/1"}
    response = client.post("/compte/notifications/activer/", bad_host)
    assert response.status_code == 400
    assert response.json() == {"error": "Ce service de notification n'est pas reconnu."}
    bad_keys = {**browser_subscription(), "p256dh": "abc"}
    assert client.post("/compte/notifications/activer/", bad_keys).json()["error"] == (
        "Les clés de cet appareil ne sont pas valides."
    )
    assert not PushSubscription.objects.exists()


def test_only_signed_in_families_may_turn_it_on(client, push_on):
    assert client.post("/compte/notifications/activer/", browser_subscription())["Location"].startswith(
        "/compte/connexion/"
    )
    client.force_login(UserFactory(director=True))
    assert client.post("/compte/notifications/activer/", browser_subscription())["Location"] == "/compte/"
    assert not PushSubscription.objects.exists()


def test_the_forms_need_post_and_the_csrf_token(parent, push_on):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(parent)
    assert client.get("/compte/notifications/activer/").status_code == 405
    assert client.post("/compte/notifications/activer/", browser_subscription()).status_code == 403
