"""A push service on localhost, written for the tests, and the devices
subscribed to it.

It stands where FCM, Mozilla's or Apple's push service stand in production:
an HTTP endpoint that receives the portal's POST — the payload encrypted
for one device (RFC 8291, aes128gcm), a VAPID ``Authorization`` header
(RFC 8292) and a ``TTL``. Each ``PushDevice`` holds what a browser holds
after ``pushManager.subscribe()``: its own P-256 key pair and a 16-byte
authentication secret, of which the portal only ever sees the public half.
The service checks the VAPID signature and its claims, and decrypts every
message with the device's private key using ``http_ece``, so a test reads
exactly what the phone would show. A device can be told to answer 410
(the browser dropped the subscription) or to fail a few times (5xx).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    device: str
    payload: dict
    headers: dict
    claims: dict


@dataclass
class PushDevice:
    """One browser's subscription to the local push service."""

    service: PushService
    name: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))
    status: int = 201  # what the service answers for this device
    failures: int = 0  # answer 503 this many times first
    # Keep the first message, then wait this long before answering: the
    # sender can die between the service taking it and being told so.
    hold_first: float = 0.0

    @property
    def endpoint(self) -> str:
        return f"{self.service.url}/push/{self.name}"

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm")
        return json.loads(plain.decode("utf-8"))

    @property
    def received(self) -> list[Received]:
        return [message for message in self.service.received if message.device == self.name]


class PushService:
    """``with PushService(vapid_public_key) as service:`` — serves on a free
    port while inside the ``with``; outside it, nothing listens there (the
    connection is refused, as when the push service is down)."""

    def __init__(self, vapid_public_key: str) -> None:
        self.vapid_public_key = vapid_public_key
        self.devices: dict[str, PushDevice] = {}
        self.received: list[Received] = []
        self.refused: list[str] = []  # what the service refused, and why
        self._lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def device(self, name: str | None = None) -> PushDevice:
        device = PushDevice(self, name or secrets.token_urlsafe(12))
        self.devices[device.name] = device
        return device

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def __enter__(self) -> PushService:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- One request -------------------------------------------------------------------

    def _accept(self, path: str, headers: dict, body: bytes) -> int:
        name = path.removeprefix("/push/")
        device = self.devices.get(name)
        if device is None:
            return self._refuse(404, f"{path}: unknown subscription")
        claims = self._check_vapid(headers.get("authorization", ""))
        if isinstance(claims, str):
            return self._refuse(401, claims)
        if headers.get("content-encoding") != "aes128gcm" or "ttl" not in headers:
            return self._refuse(400, f"headers: {headers}")
        if device.status != 201:
            return device.status
        with self._lock:
            if device.failures > 0:
                device.failures -= 1
                return 503
        try:
            payload = device.decrypt(body)
        except Exception as error:  # noqa: BLE001 - a message the device cannot read is a test failure
            return self._refuse(400, f"cannot decrypt: {error!r}")
        with self._lock:
            self.received.append(Received(name, payload, headers, claims))
            hold, device.hold_first = device.hold_first, 0.0
        time.sleep(hold)
        return 201

    def _check_vapid(self, authorization: str) -> dict | str:
        """The claims of a valid VAPID token signed with the portal's key, or what is wrong."""
        if not authorization.startswith("vapid "):
            return f"no VAPID authorization: {authorization!r}"
        parts = dict(item.split("=", 1) for item in authorization[len("vapid "):].split(","))
        if parts.get("k") != self.vapid_public_key:
            return "signed with another key than the portal's"
        if not Vapid02.verify(authorization):
            return "bad VAPID signature"
        claims = json.loads(unb64url(parts["t"].split(".")[1]))
        if claims.get("aud") != self.url or int(claims.get("exp", 0)) < time.time():
            return f"bad claims: {claims}"
        return claims

    def _refuse(self, status: int, why: str) -> int:
        with self._lock:
            self.refused.append(why)
        return status

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real services

            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {key.lower(): value for key, value in self.headers.items()}
                status = service._accept(self.path, headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        return Handler
