"""Settings come from the environment; a bad value stops start-up with one
line naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x7!k2#q9-" * 7
# What production needs besides its secrets.
PRODUCTION = {"DJANGO_ENV": "production", "SECRET_KEY": GOOD_SECRET, "ALLOWED_HOSTS": "inscrire.example",
              "SITE_URL": "https://inscrire.example", "CLAMAV_URL": "tcp://127.0.0.1:3310"}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "inscrire.settings.base", "DATA_DIR": env.pop("DATA_DIR", "")})
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def data_dir(tmp_path):
    return str(tmp_path)


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DATABASE_URL", "not-a-url"),
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("DATABASE_URL", "postgres://"),
        ("REDIS_URL", "localhost:6379"),
        ("DEBUG", "peut-être"),
        ("HUEY_WORKERS", "deux"),
        ("HUEY_MAX_DELAY", "une"),
        ("HUEY_MAX_DELAY", "0"),
        ("DJANGO_ENV", "staging"),
    ],
)
def test_malformed_variable_stops_start_up_with_one_line(variable, value, data_dir):
    result = manage("check", DATA_DIR=data_dir, **{variable: value})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"])
def test_production_requires_its_secrets(missing, data_dir):
    env = dict(PRODUCTION)
    env.pop(missing)
    result = manage("check", DATA_DIR=data_dir, **env)
    assert result.returncode != 0
    assert result.stderr.strip() == f"Configuration error: {missing} is required in production and is not set."


def test_production_refuses_the_dummy_card_provider(data_dir):
    """django-payments' dummy provider lets the payer choose « paid »."""
    result = manage("check", DATA_DIR=data_dir, **{**PRODUCTION, "CARD_PAYMENT_PROVIDER": "dummy"})
    assert result.returncode != 0
    assert result.stderr.strip() == ("Configuration error: CARD_PAYMENT_PROVIDER must be one of '', 'stripe' "
                                     "(got 'dummy').")


def test_production_passes_the_deployment_checklist(data_dir):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DATA_DIR=data_dir,
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("site_url", ["http://inscrire.example", "inscrire.example", "https://"])
def test_production_site_url_must_be_https(site_url, data_dir):
    """It is in every e-mail link and in card payments' return address."""
    result = manage("check", DATA_DIR=data_dir, **{**PRODUCTION, "SITE_URL": site_url})
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Configuration error: SITE_URL is malformed: expected a URL starting with https://."
    ), result.stderr


def test_production_site_url_is_the_address_of_links_and_payments(data_dir):
    code = "from django.conf import settings as s; print(s.SITE_URL, s.WAGTAILADMIN_BASE_URL, s.PAYMENT_HOST, s.PAYMENT_USES_SSL)"
    result = manage("shell", "--no-imports", "-c", code, DATA_DIR=data_dir,
                    **{**PRODUCTION, "SITE_URL": "https://inscrire.example/"})
    assert result.stdout.split() == ["https://inscrire.example", "https://inscrire.example", "inscrire.example", "True"]


def test_production_without_antivirus_must_say_so(data_dir):
    env = dict(PRODUCTION)
    env.pop("CLAMAV_URL")
    result = manage("check", DATA_DIR=data_dir, **env)
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Configuration error: CLAMAV_URL is required in production (tcp://host:3310 or unix:///path); set it to "
        "off to run without antivirus."
    )
    result = manage("check", DATA_DIR=data_dir, **{**env, "CLAMAV_URL": "off"})
    assert result.returncode == 0, result.stderr
    assert "Antivirus turned off (CLAMAV_URL=off): uploaded documents are not scanned for viruses." in result.stderr


def test_development_defaults_need_no_environment(data_dir):
    result = manage("check", DATA_DIR=data_dir)
    assert result.returncode == 0, result.stderr


def test_database_url_selects_postgresql_and_sqlite_gets_wal_and_immediate_transactions(data_dir):
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d.get('OPTIONS', {}).get('transaction_mode'), s.HUEY['huey_class'], s.HUEY['immediate'])"
    )
    default = manage("shell", "--no-imports", "-c", code, DATA_DIR=data_dir)
    assert default.stdout.split() == ["django.db.backends.sqlite3", "IMMEDIATE", "huey.SqliteHuey", "False"]
    scaled = manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DATA_DIR=data_dir,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/inscrire",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert scaled.stdout.split() == ["django.db.backends.postgresql", "None", "huey.RedisHuey", "False"]


def test_file_database_is_in_wal_mode(data_dir):
    code = "from django.db import connection as c; cur = c.cursor(); cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0])"
    result = manage("shell", "--no-imports", "-c", code, DATA_DIR=data_dir)
    assert result.stdout.strip() == "wal", result.stderr


def test_an_idle_sqlite_consumer_polls_at_least_every_second_unless_told(data_dir):
    """Huey backs off to 10 s between polls of an idle SqliteHuey queue:
    the first e-mail after a quiet spell would wait that long."""
    code = "from django.conf import settings as s; print(s.HUEY['consumer']['max_delay'])"
    assert manage("shell", "--no-imports", "-c", code, DATA_DIR=data_dir).stdout.split() == ["1.0"]
    told = manage("shell", "--no-imports", "-c", code, DATA_DIR=data_dir, HUEY_MAX_DELAY="2,5")
    assert told.stdout.split() == ["2.5"]
