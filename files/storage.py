"""The private storage: children's documents, signed mandates, attestations,
exports. Never under MEDIA_URL; served only through ``files.responses``
after a permission check by the app that owns the file."""

from __future__ import annotations

import uuid

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """``STORAGES["private"]`` (local folder, or S3 when scaled out). A
    callable, so that tests and settings can swap the backend."""
    return storages["private"]


def random_name(prefix: str, filename: str, *, allowed: set[str] | None = None, default: str = "bin") -> str:
    """``prefix/<random>.<extension>``: never the sender's file name, which
    may say who the child is."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else default
    if allowed is not None and extension not in allowed:
        extension = default
    return f"{prefix}/{uuid.uuid4().hex}.{extension}"
