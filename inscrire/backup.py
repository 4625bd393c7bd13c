"""Backup and restore of everything a family entrusted to the portal: the
database (every table, as Django fixtures with natural keys, so that it
loads into any empty database of either engine) and the files of both
storages (private documents and exports; public media), in one
``.tar.gz`` with a manifest of counts.

The archive holds children's data: it is written readable by its owner
only; keep it encrypted at rest (``gpg --symmetric``) and off the web
server. ``manage.py backup`` and ``manage.py restore`` call these.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import transaction

# Rebuilt by ``migrate`` on the target (post_migrate) or worthless in a copy.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes", "admin.logentry"]
STORAGE_ALIASES = ("private", "default")
FORMAT_VERSION = 1


class RestoreError(Exception):
    pass


def _walk(storage, folder: str = ""):
    directories, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for directory in directories:
        yield from _walk(storage, f"{folder}/{directory}" if folder else directory)


def _storage_files(alias: str):
    storage = storages[alias]
    try:
        yield from _walk(storage)
    except FileNotFoundError:
        return


def model_counts() -> dict[str, int]:
    excluded = set(EXCLUDED)
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in excluded or label in excluded or model._meta.proxy:
            continue
        if not model._meta.managed:
            continue
        counts[label] = model._default_manager.count()
    return counts


def backup_write(*, path: Path) -> dict:
    """Write the archive at ``path``; returns its manifest."""
    data = io.StringIO()
    call_command("dumpdata", exclude=EXCLUDED, natural_foreign=True, format="json", stdout=data, verbosity=0)
    manifest = {"version": FORMAT_VERSION, "counts": model_counts(), "files": {}}
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
        _add(archive, "database.json", data.getvalue().encode("utf-8"))
        for alias in STORAGE_ALIASES:
            names = []
            storage = storages[alias]
            for name in _storage_files(alias):
                with storage.open(name, "rb") as source:
                    _add(archive, f"files/{alias}/{name}", source.read())
                names.append(name)
            manifest["files"][alias] = len(names)
        _add(archive, "manifest.json", json.dumps(manifest, indent=2).encode("utf-8"))
    return manifest


def _add(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


def restore_read(*, path: Path) -> dict:
    """Load the archive at ``path`` into this (empty, migrated) database and
    storages; returns its manifest. Refuses a database that has accounts."""
    from django.contrib.auth import get_user_model

    if get_user_model().objects.exists():
        raise RestoreError("the database is not empty (it has user accounts): restore into an empty, migrated one")
    with tarfile.open(path, mode="r:gz") as archive:
        members = {member.name: member for member in archive.getmembers() if member.isfile()}
        for name in members:
            if name.startswith("/") or ".." in Path(name).parts:
                raise RestoreError(f"unsafe path in the archive: {name}")
        manifest = json.loads(archive.extractfile(members["manifest.json"]).read())
        if manifest.get("version") != FORMAT_VERSION:
            raise RestoreError(f"unknown backup format {manifest.get('version')!r}")
        database = archive.extractfile(members["database.json"]).read()
        with tempfile.TemporaryDirectory() as folder:
            fixture = Path(folder) / "database.json"
            fixture.write_bytes(database)
            with transaction.atomic():
                _clear_migration_rows()
                call_command("loaddata", str(fixture), verbosity=0)
        for name, member in members.items():
            if not name.startswith("files/"):
                continue
            _files, alias, relative = name.split("/", 2)
            storage = storages[alias]
            if storage.exists(relative):
                storage.delete(relative)
            saved = storage.save(relative, ContentFile(archive.extractfile(member).read()))
            if saved != relative:
                raise RestoreError(f"{relative} was stored as {saved}")
    counts = model_counts()
    different = {k: (v, counts.get(k)) for k, v in manifest["counts"].items() if counts.get(k) != v}
    if different:
        raise RestoreError(f"row counts differ after restore: {different}")
    return manifest


def _clear_migration_rows() -> None:
    """Rows that data migrations create in an empty database (Wagtail's root
    page and default site, our groups and seeded messages…) come back from
    the archive with their own ids: drop the migration's copies first."""
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.app_label in EXCLUDED or meta.label_lower in EXCLUDED:
            continue
        if model._default_manager.exists():
            model._base_manager.all()._raw_delete(model._base_manager.db)
