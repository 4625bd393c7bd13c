"""New versions of the terms or of a school's rules are accepted again
before the next dossier; what was accepted is kept with its version."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts import selectors
from accounts.constants import ConsentKind
from accounts.models import Consent

from .conftest import make_rules
from .helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(parent, terms_page, rules):
    """The Joseph family accepted the versions in force."""
    from accounts import services

    documents = selectors.family_pending_consents(family=parent.family)
    assert {d.kind for d in documents} == {ConsentKind.TERMS, ConsentKind.SCHOOL_RULES}
    services.consents_record(family=parent.family, user=parent, documents=documents)
    assert selectors.family_pending_consents(family=parent.family) == []
    assert selectors.user_can_submit(user=parent)
    return parent


def test_new_terms_revision_asks_again(client, accepted, terms_page):
    terms_page.save_revision().publish()
    pending = selectors.family_pending_consents(family=accepted.family)
    assert [d.kind for d in pending] == [ConsentKind.TERMS]
    assert not selectors.user_can_submit(user=accepted)
    assert [b.code for b in selectors.submission_blockers(user=accepted)] == ["consents"]

    client.force_login(accepted)
    assert "De nouvelles versions" in text(client.get("/compte/"))
    page = text(client.get("/compte/conditions/"))
    assert "Conditions générales d'utilisation" in page
    page = text(client.post("/compte/conditions/", {}))
    assert "Vous devez accepter les conditions générales d'utilisation pour continuer." in page

    terms_page.refresh_from_db()
    response = client.post("/compte/conditions/", {"accept_terms": "on",
                                                   "version_terms": str(terms_page.live_revision_id)}, follow=True)
    assert "Merci : votre acceptation est enregistrée." in text(response)
    assert selectors.user_can_submit(user=accepted)
    versions = list(Consent.objects.filter(family=accepted.family, kind=ConsentKind.TERMS)
                    .order_by("accepted_at", "pk").values_list("version", flat=True))
    assert len(versions) == 2 and versions[-1] == str(terms_page.live_revision_id)


def test_new_school_rules_version_asks_again(client, accepted, schools):
    make_rules(schools["maternelle"], version="2027-2028", published_at=timezone.now() + dt.timedelta(seconds=1))
    pending = selectors.family_pending_consents(family=accepted.family)
    assert [(d.kind, d.version) for d in pending] == [(ConsentKind.SCHOOL_RULES, "2027-2028")]
    client.force_login(accepted)
    page = text(client.get("/compte/conditions/"))
    assert "version 2027-2028" in page
    key = f"accept_rules-{schools['maternelle'].pk}"
    client.post("/compte/conditions/", {key: "on"})
    assert selectors.family_pending_consents(family=accepted.family) == []
    consent = Consent.objects.filter(family=accepted.family, kind=ConsentKind.SCHOOL_RULES).first()
    assert consent.version == "2027-2028" and consent.user == accepted


def test_rules_of_a_school_added_later_are_asked(accepted, schools):
    accepted.family.schools.add(schools["marin"])
    make_rules(schools["marin"])
    pending = selectors.family_pending_consents(family=accepted.family)
    assert [d.school for d in pending] == [schools["marin"]]


def test_consents_page_follows_next_when_safe(client, accepted, terms_page):
    terms_page.save_revision().publish()
    client.force_login(accepted)
    response = client.post("/compte/conditions/", {"accept_terms": "on", "next": "/compte/enfants/ajouter/"})
    assert response["Location"] == "/compte/enfants/ajouter/"


def test_nothing_pending_says_so(client, accepted):
    client.force_login(accepted)
    page = text(client.get("/compte/conditions/"))
    assert "Vous avez accepté les versions en vigueur" in page
    assert "version 2026-2027" in page  # history


def test_no_terms_page_configured_means_nothing_to_accept(parent):
    assert selectors.family_pending_consents(family=parent.family) == []


def _agree(family) -> bool:
    """The check before every submission says what the full list says."""
    quick = selectors.family_has_pending_consents(family_id=family.pk)
    assert quick == bool(selectors.family_pending_consents(family=family))
    return quick


def test_the_check_before_submitting_follows_the_documents_in_force(accepted, terms_page, schools):
    family = accepted.family
    assert not _agree(family)
    terms_page.save_revision().publish()  # a new version of the terms
    assert _agree(family)
    from accounts import services

    services.consents_record(family=family, user=accepted, documents=selectors.family_pending_consents(family=family))
    assert not _agree(family)
    family.schools.add(schools["marin"])  # a school without rules asks nothing
    assert not _agree(family)
    make_rules(schools["marin"])  # its rules, once published, are asked
    assert _agree(family)
    services.consents_record(family=family, user=accepted, documents=selectors.family_pending_consents(family=family))
    assert not _agree(family)
    make_rules(schools["maternelle"], version="2027-2028", published_at=timezone.now() + dt.timedelta(seconds=1))
    assert _agree(family)
    terms_page.unpublish()  # an unpublished terms page asks nothing; the new rules still do
    assert _agree(family)
