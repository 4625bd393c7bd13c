"""Helpers for the tests that run the product in separate processes (the
Huey consumer, gunicorn): the test database as another process reaches it,
and a free port."""

from __future__ import annotations

import socket
from urllib.parse import quote

from django.db import connection


def database_url() -> str:
    """The test database, as another process must reach it (``DATABASE_URL``)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        assert not connection.is_in_memory_db(), "another process needs a file database"
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth + '@' if auth else ''}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
