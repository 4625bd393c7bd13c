"""Web Push, the outbox's second channel: the transport only.

pywebpush encrypts the payload for the device (RFC 8291, aes128gcm: only
the browser that subscribed can read it, not the push service) and signs a
VAPID token (RFC 8292) with the portal's key; one HTTP POST then hands it
to the push service of the device's browser (FCM for Chrome, Mozilla's for
Firefox, Apple's for Safari), which delivers it when the phone is online.
What makes it reliable — the row claimed once, retried with backoff, swept
when a consumer dies — is the outbox's (``services.notification_deliver``),
exactly as for e-mails.

The endpoint is an address the browser gave, so the portal would POST to
wherever a crafted request said: only the push services' own hosts
(``WEBPUSH_ENDPOINT_HOSTS``), over HTTPS, are accepted. Plain HTTP is
accepted only for a loopback host listed there — the tests' local push
service.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SESSION_IDLE_SECONDS = 30


class PushError(Exception):
    """The push service refused the message. ``gone``: the subscription no
    longer exists (404, 410), the device is to be removed; ``permanent``:
    sending it again will not help."""

    def __init__(self, message: str, *, status: int | None = None, permanent: bool = False, gone: bool = False):
        super().__init__(message)
        self.status, self.permanent, self.gone = status, permanent or gone, gone


def enabled() -> bool:
    """Push is on when the portal has its VAPID key pair (``manage.py webpush_keys``)."""
    return bool(settings.WEBPUSH_VAPID_PUBLIC_KEY and settings.WEBPUSH_VAPID_PRIVATE_KEY)


def b64url_decode(value: str) -> bytes:
    value = (value or "").strip()
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate_keys() -> tuple[str, str]:
    """A new VAPID key pair, (public, private), base64url: the public key is
    the browser's ``applicationServerKey``, the private one signs every push."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(public), b64url_encode(private.private_numbers().private_value.to_bytes(32, "big"))


def public_key_of(private_key: str) -> str:
    """The public half of a private key, to check that the two settings match."""
    from cryptography.hazmat.primitives import serialization

    vapid = _vapid(private_key)
    return b64url_encode(
        vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


def endpoint_allowed(endpoint: str) -> bool:
    try:
        parts = urlsplit(endpoint or "")
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    if not any(host == allowed or host.endswith("." + allowed) for allowed in settings.WEBPUSH_ENDPOINT_HOSTS):
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)


def keys_valid(*, p256dh: str, auth: str) -> bool:
    """The device's keys as the Push API gives them: a P-256 public point
    (65 bytes, uncompressed) and a 16-byte authentication secret."""
    try:
        point, secret = b64url_decode(p256dh), b64url_decode(auth)
    except (binascii.Error, ValueError):
        return False
    return len(point) == 65 and point[0] == 4 and len(secret) == 16


@lru_cache(maxsize=4)
def _vapid(private_key: str):
    from py_vapid import Vapid

    return Vapid.from_string(private_key)


_worker = threading.local()


def _session():
    """Each consumer thread keeps its HTTP connection to the push service
    open between messages (as it keeps its SMTP connection): one TLS
    handshake instead of one per message."""
    import requests

    session = getattr(_worker, "session", None)
    if session is not None and time.monotonic() - _worker.used > SESSION_IDLE_SECONDS:
        session.close()
        session = None
    if session is None:
        session = _worker.session = requests.Session()
    _worker.used = time.monotonic()
    return session


def _drop_session() -> None:
    session = getattr(_worker, "session", None)
    _worker.session = None
    if session is not None:
        session.close()


def send(*, endpoint: str, p256dh: str, auth: str, payload: dict, ttl: int, timeout: float) -> None:
    """Encrypt ``payload`` (JSON) for the device and hand it to its push
    service. Raises ``PushError`` when the service refuses it; a network
    error (refused, timed out) propagates as it is, to be retried."""
    from pywebpush import WebPushException, webpush

    if not enabled():
        raise PushError("Notifications désactivées : aucune clé VAPID n'est configurée.", permanent=True)
    if not endpoint_allowed(endpoint):
        raise PushError("Service de notification non autorisé (WEBPUSH_ENDPOINT_HOSTS).", permanent=True)
    try:
        webpush(
            subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=_vapid(settings.WEBPUSH_VAPID_PRIVATE_KEY),
            # A fresh dict each time: webpush() writes the audience (the
            # endpoint's origin) and the expiry into it.
            vapid_claims={"sub": settings.WEBPUSH_CONTACT},
            ttl=ttl,
            timeout=timeout,
            headers={"Urgency": "normal"},
            requests_session=_session(),
        )
    except WebPushException as error:
        status = error.status_code
        reason = getattr(error.response, "reason", "") or ""
        raise PushError(
            f"Le service de notification a répondu {status} {reason}".strip(),
            status=status,
            gone=status in (404, 410),
            # A malformed or oversized message will not get better; 401/403
            # (a key the service refuses), 429 and 5xx may, once fixed or later.
            permanent=status in (400, 413),
        ) from error
    except Exception:
        _drop_session()  # a connection in an unknown state is not reused
        raise
