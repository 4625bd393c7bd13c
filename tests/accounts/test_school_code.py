"""The school's code (« Votre code 3KTUKZ »): set by editors on the school,
it finds its school exactly at step 3 of the sign-up, as the postal code does."""

import pytest

from accounts.selectors import school_search
from cms.models import School
from tests.factories import PASSWORD, SchoolFactory, UserFactory

from .helpers import signup_until, step, text

pytestmark = pytest.mark.django_db


def test_code_finds_its_school_exactly(schools):
    School.objects.filter(pk=schools["maternelle"].pk).update(code="3KTUKZ")
    assert [s.name for s in school_search(query="3KTUKZ").schools] == ["École maternelle du Bourg"]
    assert [s.name for s in school_search(query=" 3ktukz ").schools] == ["École maternelle du Bourg"]
    # Not a prefix search: a code is given whole.
    assert school_search(query="3KTU").schools == []


def test_sign_up_step_3_finds_the_school_by_code(client, schools):
    School.objects.filter(pk=schools["marin"].pk).update(code="MARIN7")
    signup_until(client, 3)
    page = text(client.get("/compte/inscription/etape-3/", {"q": "marin7"}))
    assert "Code de l'école, code postal ou commune" in page
    assert "1 école trouvée pour « marin7 »" in page
    assert "Groupe scolaire du Marin" in page
    assert "École maternelle du Bourg" not in page
    page = text(step(client, 3, {"schools": [schools["marin"].pk], "q": "marin7"}))
    assert "Étape 4 sur 5" in page


def test_every_school_has_a_code_and_new_ones_get_one(db):
    first, second = SchoolFactory(), SchoolFactory()
    assert first.code and second.code and first.code != second.code
    assert 4 <= len(first.code) <= 12 and first.code.isupper()


def test_editor_sets_the_code_on_the_school(client, schools):
    editor = UserFactory(editor=True, is_staff=True)
    assert client.login(username=editor.email, password=PASSWORD)
    school = schools["diamant"]
    url = f"/cms/snippets/cms/school/edit/{school.pk}/"
    page = text(client.get(url))
    assert "Code de l'école" in page or "code de l'école" in page

    def post(code):
        return client.post(url, {
            "name": school.name, "code": code, "kind": school.kind, "address": "", "postal_code": "97223",
            "commune": "Le Diamant", "email": "", "phone": "", "validation_delay_days": "7",
            "director_emails": "each",
            "rules_versions-TOTAL_FORMS": "0", "rules_versions-INITIAL_FORMS": "0",
            "rules_versions-MIN_NUM_FORMS": "0", "rules_versions-MAX_NUM_FORMS": "1000",
        })

    response = post("diam 8t")
    assert response.status_code == 302, text(response)[:3000]
    school.refresh_from_db()
    assert school.code == "DIAM8T"

    # Bad codes are refused next to the field, in French.
    page = text(post("AB"))
    assert "de 4 à 12 caractères" in page
    page = text(post("97223"))
    assert "au moins une lettre" in page
    School.objects.filter(pk=schools["marin"].pk).update(code="MARIN7")
    page = text(post("MARIN7"))
    assert "existe déjà" in page
    school.refresh_from_db()
    assert school.code == "DIAM8T"
