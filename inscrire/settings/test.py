"""Test settings: explicit, fast, isolated.

The database comes from DATABASE_URL like everywhere else (pytest-django
creates and drops its own ``test_…`` database). With REDIS_URL, the cache
and the queue use a key prefix of their own, removed after the run.
"""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import HUEY, REDIS_URL

_run = f"inscrire-test-{os.getpid()}"
DATA_DIR = Path(tempfile.mkdtemp(prefix=f"{_run}-"))
MEDIA_ROOT = DATA_DIR / "media"
PRIVATE_MEDIA_ROOT = DATA_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(MEDIA_ROOT)}},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file, not memory: the notifications' reliability test runs the Huey
# consumer as a separate process, which must see the test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

REDIS_KEY_PREFIX = _run
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _run,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tasks run inline in tests, explicitly; tests that exercise the real queue
# switch this off and drive the configured storage themselves.
HUEY = {**HUEY, "name": _run, "immediate": True}
if not REDIS_URL:
    HUEY["filename"] = str(DATA_DIR / "huey.sqlite3")
HUEY_IMMEDIATE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING"},
}
