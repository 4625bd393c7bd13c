import shutil

import pytest
from django.conf import settings


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return marker is not None and bool(marker.kwargs.get("transaction") or (marker.args and marker.args[0]))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """pytest-django runs the transactional tests last; each ends with a
    flush that also removes what the migrations made (Wagtail's root page,
    the role groups…). Those that need it (``migration_data``) go first
    among them, while it is still there."""
    first = next((index for index, item in enumerate(items) if _transactional(item)), None)
    if first is None:
        return
    tail = items[first:]
    needing = [item for item in tail if item.get_closest_marker("migration_data")]
    items[first:] = needing + [item for item in tail if not item.get_closest_marker("migration_data")]


@pytest.fixture(autouse=True)
def _procedure_filters_read_afresh():
    """The staff list's procedure filters are cached between requests (a
    publication empties the cache); each test starts without them."""
    from workflows.filters import procedure_choices_forget

    procedure_choices_forget()
    yield


@pytest.fixture(scope="session", autouse=True)
def _clean_up_run_storage():
    """Remove what this run wrote outside the test database: its temporary
    data folder and, on Redis, every key under its own prefix."""
    yield
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        # Huey drops the dashes of its queue name in its keys.
        for prefix in {settings.REDIS_KEY_PREFIX, settings.REDIS_KEY_PREFIX.replace("-", "")}:
            for key in client.scan_iter(match=f"*{prefix}*", count=1000):
                client.delete(key)
    shutil.rmtree(settings.DATA_DIR, ignore_errors=True)


@pytest.fixture
def demo(db):
    from inscrire.demo.loader import load_demo

    return load_demo()


@pytest.fixture(scope="session")
def vapid_keys() -> tuple[str, str]:
    """The portal's VAPID key pair for a test run: (public, private)."""
    from notifications.push import generate_keys

    return generate_keys()


@pytest.fixture
def push_on(settings, vapid_keys):
    """Push notifications on (test settings leave them off), sending to push
    services on localhost only (``tests/notifications/pushservice.py``)."""
    settings.WEBPUSH_VAPID_PUBLIC_KEY, settings.WEBPUSH_VAPID_PRIVATE_KEY = vapid_keys
    settings.WEBPUSH_CONTACT = "mailto:technique@inscrire.example"
    settings.WEBPUSH_ENDPOINT_HOSTS = ["127.0.0.1"]
    return vapid_keys
