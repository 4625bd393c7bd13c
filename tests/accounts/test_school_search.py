"""The school search behind step 3: never empty-handed."""

import pytest

from accounts.selectors import school_search

pytestmark = pytest.mark.django_db


def test_postal_code_and_prefix(schools):
    assert {s.name for s in school_search(query="97228").schools} == {
        "École maternelle du Bourg", "École élémentaire Trois-Rivières"}
    assert len(school_search(query="972").schools) == 4
    assert len(school_search(query=" 97 228 ").schools) == 2


def test_unknown_postal_code_suggests_the_nearest(schools):
    result = school_search(query="97229")
    assert result.schools == []
    assert "97229" in result.message
    assert [s.query for s in result.suggestions] == ["97228", "97223", "97290"]


def test_too_long_or_foreign_codes(schools):
    assert "cinq chiffres" in school_search(query="972281").message
    result = school_search(query="75001")
    assert "n'est pas en Martinique" in result.message and result.suggestions


def test_commune_and_school_name(schools):
    assert len(school_search(query="le marin").schools) == 1
    assert [s.name for s in school_search(query="trois rivieres").schools] == ["École élémentaire Trois-Rivières"]
    result = school_search(query="Fort-de-France")
    assert result.schools == [] and result.suggestions


def test_no_school_at_all(db):
    result = school_search(query="97228")
    assert result.schools == [] and "Aucune école" in result.message


def test_wagtail_own_password_reset_is_off(client):
    # Resets go through /compte/mot-de-passe/oublie/ and the notifications outbox.
    assert client.get("/cms/password_reset/").status_code in (302, 404)
