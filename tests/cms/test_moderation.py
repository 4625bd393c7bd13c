"""Wagtail's moderation workflow, as an editor meets it on a page (issue 18):
its name is French, not Wagtail's « Moderators approval »."""

from html import unescape

import pytest
from django.test import Client
from wagtail.models import Task, Workflow

from tests.factories import UserFactory, site_home

pytestmark = pytest.mark.django_db


def test_the_moderation_workflow_is_named_in_french_on_the_editors_page():
    home = site_home(slug="accueil-relecture", title="Bienvenue")
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert not Task.objects.filter(name="Moderators approval").exists()
    client = Client()
    client.force_login(UserFactory(editor=True))
    html = unescape(client.get(f"/cms/pages/{home.pk}/edit/").content.decode())
    assert "Soumettre à Relecture" in html
    assert "Moderators approval" not in html
