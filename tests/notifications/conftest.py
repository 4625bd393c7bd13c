"""A real SMTP server on localhost, and the switch to the real Huey queue."""

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


class SmtpSink:
    """Keeps every message the server accepts."""

    def __init__(self) -> None:
        self.envelopes = []
        self.peers = []  # the client's (address, port) of each message: its connection
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self._lock:
            self.envelopes.append(envelope)
            self.peers.append(session.peer)
        return "250 Message accepted for delivery"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.envelopes)

    def messages(self) -> list[email.message.EmailMessage]:
        with self._lock:
            envelopes = list(self.envelopes)
        return [email.message_from_bytes(e.original_content or e.content, policy=email.policy.default) for e in envelopes]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    sink = SmtpSink()
    sink.controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    sink.controller.start()
    sink.port = sink.controller.port
    yield sink
    sink.controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """Django sends through the local SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_server


@pytest.fixture
def queued_huey():
    """Huey on its configured storage instead of immediate mode."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    HUEY.flush()
    yield HUEY
    HUEY.flush()
    HUEY.immediate = True


# --- Push notifications: a local push service ----------------------------------------
# (``vapid_keys`` and ``push_on`` are in tests/conftest.py: « Mon compte » uses them too.)


@pytest.fixture
def push_service(push_on):
    """The local push service (``tests/notifications/pushservice.py``): it
    checks the VAPID signature and decrypts what each device receives."""
    from .pushservice import PushService

    with PushService(push_on[0]) as service:
        yield service
