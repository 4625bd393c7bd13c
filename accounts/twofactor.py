"""Two-factor authentication for staff (TOTP, with django-otp).

Editors, directors, finance agents and administrators read or change
children's data; when ``STAFF_2FA_REQUIRED`` is on (the default in
production) a password alone does not open anything to them: after signing
in they enter the six-digit code of their authentication app, and the first
time they enrol that app by scanning a QR code (or typing the key shown as
text). Families are not concerned.

``StaffTwoFactorMiddleware`` holds the rule; ``twofactor_views`` the two
pages. Codes are checked by django-otp's ``TOTPDevice`` (30-second steps,
one step of drift, a code used once is refused, throttled after failures).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Application d'authentification"
# Paths open to a member of staff who has not given a code yet.
_OPEN_PREFIXES = ("/static/", "/media/", "/favicon")


def is_staff_account(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return user.is_staff_member


def requires_two_factor(user) -> bool:
    """Staff accounts when the setting is on; never families."""
    return settings.STAFF_2FA_REQUIRED and is_staff_account(user)


def has_confirmed_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def pending_device(*, user) -> TOTPDevice:
    """The device being enrolled: the unconfirmed one, or a new one with a
    fresh random key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm an enrolment with the first code the app shows; other
    unconfirmed devices of the user are dropped."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


def device_for_token(*, user, token: str):
    """The confirmed device that accepts ``token``, or None."""
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    return None


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing by hand."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code (no inline style: the
    Content-Security-Policy allows it)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8").split("?>", 1)[-1]


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return target
    return default


class StaffTwoFactorMiddleware:
    """After the password, a member of staff who has not given a code in
    this session is sent to the code page (or to enrolment the first time)
    whatever they ask for, except signing out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and requires_two_factor(user) and not user.is_verified():
            open_paths = {
                reverse("twofactor:setup"),
                reverse("twofactor:verify"),
                reverse("accounts:logout"),
            }
            if request.path not in open_paths and not request.path.startswith(_OPEN_PREFIXES):
                target = "twofactor:verify" if has_confirmed_device(user) else "twofactor:setup"
                return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
