"""Wagtail's background jobs go through Huey, on the configured storage
(SqliteHuey by default, RedisHuey with REDIS_URL)."""

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY
from wagtail.models import ReferenceIndex

from cms.models import HelpPage


@pytest.fixture
def queued_huey():
    """Switch Huey from immediate mode back to its configured storage."""
    HUEY.immediate = False
    HUEY.flush()
    yield HUEY
    HUEY.flush()
    HUEY.immediate = True


def test_huey_uses_the_configured_storage(queued_huey):
    expected = "RedisStorage" if settings.REDIS_URL else "SqliteStorage"
    assert type(queued_huey.storage).__name__ == expected
    assert queued_huey.name == settings.REDIS_KEY_PREFIX


@pytest.mark.migration_data  # the demo needs Wagtail's root page and the groups
@pytest.mark.django_db(transaction=True)
def test_wagtail_reference_index_job_is_queued_then_run_by_huey(demo, queued_huey):
    # The seed's page (this year's section has one of the same slug).
    page = HelpPage.objects.get(slug="comment-proceder", url_path__contains="/inscriptions-2020-2021/")
    ReferenceIndex.objects.all().delete()

    page.save_revision().publish()

    assert queued_huey.pending_count() > 0
    assert not ReferenceIndex.objects.exists()
    while (task := queued_huey.dequeue()) is not None:
        queued_huey.execute(task)
    assert queued_huey.pending_count() == 0
    # The page links to « Comment ouvrir un compte » (its « Pour plus d'infos »).
    target = HelpPage.objects.get(slug="ouvrir-un-compte", url_path__contains="/inscriptions-2020-2021/")
    assert ReferenceIndex.get_references_to(target).filter(object_id=str(page.pk)).exists()
