"""Staff two-factor authentication, through HTTP, with codes computed here
from the enrolled key (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits)."""

import hashlib
import hmac
import re
import struct
import time
from base64 import b32decode

import pytest
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, GuardianFactory, SchoolFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_on")]


@pytest.fixture
def two_factor_on():
    with override_settings(STAFF_2FA_REQUIRED=True):
        yield


def totp(key: bytes, *, step_offset: int = 0) -> str:
    counter = int(time.time()) // 30 + step_offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def sign_in(user) -> Client:
    client = Client()
    response = client.post("/compte/connexion/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def director():
    user = UserFactory(director=True)
    SchoolFactory().directors.add(user)
    return user


def enrol(client) -> tuple[bytes, str]:
    """Open the enrolment page, read the key shown as text, confirm with a
    code; returns the key and the code used."""
    page = client.get("/compte/double-authentification/activer/?next=/cms/dossiers/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html  # the QR code
    secret = re.search(r'class="twofactor-secret"><code>([A-Z2-7 ]+)</code>', html).group(1)
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    code = totp(key)
    response = client.post("/compte/double-authentification/activer/", {"code": code, "next": "/cms/dossiers/"})
    assert response.status_code == 302 and response["Location"] == "/cms/dossiers/"
    return key, code


@pytest.mark.parametrize("role", ["director", "editor", "finance"])
def test_staff_cannot_open_anything_before_enrolling_an_app(role):
    user = UserFactory(**{role: True})
    client = sign_in(user)
    for url in ("/cms/", "/cms/dossiers/", "/dossiers/", "/compte/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/compte/double-authentification/activer/?next="), url


def test_enrolment_then_each_sign_in_asks_for_a_fresh_code(director):
    client = sign_in(director)
    key, used = enrol(client)
    assert TOTPDevice.objects.get(user=director).confirmed
    assert client.get("/cms/dossiers/").status_code == 200

    # A new session: the password is not enough any more.
    client = sign_in(director)
    response = client.get("/cms/dossiers/")
    assert response["Location"].startswith("/compte/double-authentification/code/?next=")
    # The code that served at enrolment is refused; the next one (one step of
    # clock drift is accepted) opens the workspace.
    replay = client.post("/compte/double-authentification/code/", {"code": used})
    assert replay.status_code == 400
    assert "déjà servi" in replay.content.decode()
    assert client.get("/cms/dossiers/").status_code == 302
    # One failure makes the next try wait a second (django-otp's throttling); the test does not wait.
    TOTPDevice.objects.filter(user=director).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post("/compte/double-authentification/code/",
                           {"code": totp(key, step_offset=1), "next": "/cms/dossiers/"})
    assert response.status_code == 302 and response["Location"] == "/cms/dossiers/"
    assert client.get("/cms/dossiers/").status_code == 200


def test_wrong_codes_are_counted_for_throttling(director):
    client = sign_in(director)
    enrol(client)
    client = sign_in(director)
    for _ in range(3):
        assert client.post("/compte/double-authentification/code/", {"code": "000000"}).status_code == 400
    assert TOTPDevice.objects.get(user=director).throttling_failure_count >= 1
    assert client.get("/cms/dossiers/").status_code == 302


def test_a_wrong_code_at_enrolment_keeps_the_app_unconfirmed(director):
    client = sign_in(director)
    client.get("/compte/double-authentification/activer/")
    response = client.post("/compte/double-authentification/activer/", {"code": "12345a"})
    assert response.status_code == 400
    assert "six chiffres" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=director, confirmed=True).exists()
    assert client.get("/cms/").status_code == 302


def test_next_never_leaves_the_site(director):
    client = sign_in(director)
    client.get("/compte/double-authentification/activer/")
    device = TOTPDevice.objects.get(user=director)
    response = client.post("/compte/double-authentification/activer/",
                           {"code": totp(device.bin_key), "next": "https://ailleurs.example/"})
    assert response["Location"] == "/cms/"


def test_families_are_not_asked_for_a_code():
    client = sign_in(GuardianFactory())
    assert client.get("/compte/").status_code == 200


def test_signing_out_stays_possible_before_the_code(director):
    client = sign_in(director)
    response = client.post("/compte/deconnexion/")
    assert response.status_code in {200, 302}
    assert "_auth_user_id" not in client.session


@override_settings(STAFF_2FA_REQUIRED=False)
def test_off_by_setting_staff_get_in_with_the_password(director):
    client = sign_in(director)
    assert client.get("/cms/dossiers/").status_code == 200


def test_an_administrator_resets_a_lost_phone(director):
    import io

    from django.core.management import call_command

    client = sign_in(director)
    enrol(client)
    out = io.StringIO()
    call_command("twofactor_reset", director.email.upper(), stdout=out)
    assert "retirée" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=director).exists()
    response = sign_in(director).get("/cms/")
    assert response["Location"].startswith("/compte/double-authentification/activer/")
