"""The application as a family meets it: a real web server and a real Huey
consumer, in their own processes, on a database of their own.

Why subprocesses rather than pytest-django's ``live_server``: the journey
depends on work done *outside* the request (confirmation e-mails, workflow
notifications) by the Huey consumer, exactly as in production. Test settings
run Huey inline and keep mail in memory; here the app runs on the ordinary
settings module (``inscrire.settings.base``), configured only through the
environment like any deployment, with its queue consumed by ``run_huey`` and
its mail sent over SMTP to the sink of ``tests/e2e/mail.py``.

The database follows the run: with ``DATABASE_URL=postgres://…`` a database
``<name>_e2e_<pid>`` is created next to pytest-django's and dropped at the
end; otherwise a SQLite file in a temporary folder. With ``REDIS_URL`` the
queue and cache live under a key prefix of this run, deleted at the end.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BASE_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = BASE_DIR / "tests" / "artifacts"

# Generous: a cold CI machine migrates Wagtail and Viewflow from scratch.
STARTUP_TIMEOUT = 180.0
STOP_TIMEOUT = 10.0

# Every variable inscrire.settings.base reads that would change where the app
# stores things or how it sends mail is set explicitly, so that neither the
# caller's shell nor a developer's .env file can point the test app at real data.
_FORCED_EMPTY = ("AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, alive: Callable[[], str] | None = None) -> None:
    """Poll ``condition`` until it holds; ``alive`` returns an error text when
    the process we wait for has died, so a crash fails at once, with its log."""
    deadline = time.monotonic() + timeout
    while not condition():
        if alive is not None and (problem := alive()):
            raise RuntimeError(f"{what}: {problem}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: still not ready after {timeout:.0f} s")
        time.sleep(0.05)


@dataclass
class LiveApp:
    """A running Inscrire: ``url`` to browse, ``manage()`` to act on its database."""

    url: str
    env: dict[str, str] = field(repr=False)
    data_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``manage.py`` against the live app's database and settings."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR, env=self.env, capture_output=True, text=True, timeout=STARTUP_TIMEOUT,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
        return result

    def shell(self, code: str) -> str:
        """Run Python in the app's context (``manage.py shell -c``); returns what it printed."""
        return self.manage("shell", "--no-imports", "-c", code).stdout

    def log(self, name: str) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _postgres_database(database_url: str) -> tuple[str, Callable[[], None]]:
    """Create an empty database beside the one of ``database_url``; returns its
    URL and the function that drops it."""
    import psycopg

    parsed = urlparse(database_url)
    name = f"{parsed.path.lstrip('/') or 'inscrire'}_e2e_{os.getpid()}"
    admin = urlunparse(parsed._replace(path="/postgres"))

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}")), drop


def _stop(process: subprocess.Popen) -> None:
    """Stop a process group we started (the server and its workers, or the
    consumer): SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
    except ProcessLookupError:
        pass


def _start(app: LiveApp, name: str, command: list[str]) -> subprocess.Popen:
    log = open(app.data_dir / f"{name}.log", "wb")  # noqa: SIM115 — the child owns it until it stops
    process = subprocess.Popen(
        command, cwd=BASE_DIR, env=app.env, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    log.close()
    app.processes[name] = process
    return process


def _died(app: LiveApp, name: str) -> Callable[[], str]:
    def check() -> str:
        code = app.processes[name].poll()
        return "" if code is None else f"exited with {code}:\n{app.log(name)[-4000:]}"

    return check


def _responds(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True  # an HTTP answer, whatever its status, means the server is up
    except OSError:
        return False


@contextmanager
def serve(*, smtp_port: int, database_url: str, redis_url: str, key_prefix: str) -> Iterator[LiveApp]:
    """Migrate a fresh database, load the demo, start gunicorn and ``run_huey``;
    stop them and remove everything on the way out, whatever happened."""
    data_dir = Path(tempfile.mkdtemp(prefix="inscrire-e2e-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cleanups: list[Callable[[], None]] = []
    app: LiveApp | None = None
    try:
        if database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
            database_url, drop = _postgres_database(database_url)
            cleanups.append(drop)
        else:
            database_url = f"sqlite:///{data_dir / 'db.sqlite3'}"

        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
        env.update({name: "" for name in _FORCED_EMPTY})
        env.update(
            DJANGO_SETTINGS_MODULE="inscrire.settings.base",
            DJANGO_ENV="development",
            DEBUG="false",  # the real 404/500 pages, as families see them
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SITE_URL=url,
            DATA_DIR=str(data_dir),
            MEDIA_ROOT=str(data_dir / "media"),
            PRIVATE_MEDIA_ROOT=str(data_dir / "private"),
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            REDIS_KEY_PREFIX=key_prefix,
            HUEY_IMMEDIATE="false",
            HUEY_WORKERS="2",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
            EMAIL_USE_TLS="false",
            EMAIL_USE_SSL="false",
            EMAIL_TIMEOUT="10",
            # Staff sign in with a password only, until the journey walks the TOTP step too.
            STAFF_2FA_REQUIRED="false",
            # Push notifications on, with a key pair of this run; pushes go
            # to the real push services or to a test's own on localhost.
            **_push_settings(),
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        app = LiveApp(url=url, env=env, data_dir=data_dir)
        if redis_url:
            cleanups.append(lambda: _delete_redis_keys(redis_url, key_prefix))

        app.manage("migrate", "--noinput")
        app.manage("load_demo")

        _start(app, "huey", [sys.executable, "manage.py", "run_huey"])
        wait_until(lambda: "Huey consumer started" in app.log("huey"), timeout=STARTUP_TIMEOUT,
                   what="run_huey", alive=_died(app, "huey"))
        _start(app, "web", [
            sys.executable, "-m", "gunicorn", "inscrire.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "gthread", "--threads", "8",
            "--graceful-timeout", "5", "--access-logfile", "-", "--error-logfile", "-",
        ])
        wait_until(lambda: _responds(url + "/"), timeout=STARTUP_TIMEOUT, what="gunicorn", alive=_died(app, "web"))
        yield app
    finally:
        if app is not None:
            for process in app.processes.values():
                _stop(process)
            # The logs outlive the run, beside the screenshots, for a failed CI run.
            logs = ARTIFACTS_DIR / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            for name in app.processes:
                shutil.copyfile(data_dir / f"{name}.log", logs / f"{name}.log")
        for cleanup in reversed(cleanups):
            cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


def _push_settings() -> dict[str, str]:
    from notifications.push import generate_keys

    public, private = generate_keys()
    return {
        "WEBPUSH_VAPID_PUBLIC_KEY": public,
        "WEBPUSH_VAPID_PRIVATE_KEY": private,
        "WEBPUSH_ENDPOINT_HOSTS": "fcm.googleapis.com,push.services.mozilla.com,push.apple.com,127.0.0.1",
    }


def _delete_redis_keys(redis_url: str, key_prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    # The cache keeps the prefix as it is; Huey's RedisStorage.clean_name
    # keeps only letters, digits and underscores of the queue's name.
    for pattern in {key_prefix, re.sub("[^A-Za-z0-9_]", "", key_prefix)}:
        for key in client.scan_iter(match=f"*{pattern}*", count=1000):
            client.delete(key)
