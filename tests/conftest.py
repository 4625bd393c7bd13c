import shutil

import pytest
from django.conf import settings


@pytest.fixture(scope="session", autouse=True)
def _clean_up_run_storage():
    """Remove what this run wrote outside the test database: its temporary
    data folder and, on Redis, every key under its own prefix."""
    yield
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter(match=f"*{settings.REDIS_KEY_PREFIX}*", count=1000):
            client.delete(key)
    shutil.rmtree(settings.DATA_DIR, ignore_errors=True)


@pytest.fixture
def demo(db):
    from cms.demo.loader import load_demo

    return load_demo()
