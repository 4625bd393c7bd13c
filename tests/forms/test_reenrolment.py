"""Re-enrolment: a child who filed last year gets this year's dossier
prefilled from last year's answers; only what changed and the documents
that have expired are asked again."""

import datetime as dt

import pytest
from django.utils import timezone

from forms.models import Document
from tests.forms.conftest import PDF, _file, _q, _step, make_page, review_url, start, step_url, upload

pytestmark = pytest.mark.django_db


def steps(year_bounds=("2015-01-01", "2024-12-31")):
    return [
        _step("L'enfant", "", [
            _q("text", "Médecin traitant", "medecin"),
            _q("choice", "Repas", "repas", choices="Standard\nSans porc\nVégétarien"),
            _q("consent", "J'accepte le règlement.", "reglement"),
        ]),
        _step("Documents", "", [
            {**_file("Acte de naissance", "acte", ""), },
            {"type": "file", "value": {**_file("Justificatif de domicile", "domicile", "")["value"],
                                       "max_age_months": 3}},
        ]),
    ]


@pytest.fixture
def last_year(parent_client, home, children, school):
    page = make_page(home, steps(), slug="inscription-2025-2026", title="Inscriptions 2025-2026")
    page.schools.add(school)
    submission = start(parent_client, page, children[0])
    parent_client.post(step_url(submission, 0), {"medecin": "Dr Louis", "repas": "Végétarien", "reglement": "on"})
    parent_client.post(step_url(submission, 1), {
        "acte": upload("acte.pdf", PDF), "domicile": upload("edf.pdf", PDF),
    })
    response = parent_client.post(review_url(submission))
    assert response.status_code == 302, response.content.decode()[:500]
    submission.refresh_from_db()
    assert submission.status == "submitted"
    return page, submission


def test_reenrolment_prefills_answers_and_asks_only_for_expired_documents(parent_client, home, children, school,
                                                                          last_year):
    old_page, old = last_year
    # The proof of address is five months old now; the birth certificate never expires.
    Document.objects.filter(submission=old, field_name="domicile").update(
        uploaded_at=timezone.now() - dt.timedelta(days=150)
    )
    page = make_page(home, steps(), slug="inscription-2026-2027", title="Inscriptions 2026-2027",
                     previous_year_page=old_page)
    page.schools.add(school)

    new = start(parent_client, page, children[0])
    assert new.answers["medecin"] == "Dr Louis" and new.answers["repas"] == "Végétarien"
    assert "reglement" not in new.answers  # consents are given anew
    kept = {d.field_name: d for d in new.documents.all()}
    assert set(kept) == {"acte"}
    assert kept["acte"].original_name == "acte.pdf"
    assert kept["acte"].file.name != old.documents.get(field_name="acte").file.name  # its own copy
    assert new.answers["acte"] == kept["acte"].pk

    # The family sees last year's answers in the form…
    html = parent_client.get(step_url(new, 0)).content.decode()
    assert 'value="Dr Louis"' in html
    # …and the review asks only for the consent and the expired document.
    html = parent_client.get(review_url(new)).content.decode()
    assert "Justificatif de domicile" in html
    response = parent_client.post(review_url(new))
    assert response.status_code in (200, 400)
    assert "Justificatif de domicile" in response.content.decode()
    new.refresh_from_db()
    assert new.status == "draft"

    # Last year's dossier is untouched.
    old.refresh_from_db()
    assert old.answers["medecin"] == "Dr Louis" and old.documents.count() == 2


def test_a_child_new_this_year_starts_from_the_profile_only(parent_client, home, children, school, last_year):
    old_page, _old = last_year
    page = make_page(home, steps(), slug="inscription-2026-2027", previous_year_page=old_page)
    page.schools.add(school)
    new = start(parent_client, page, children[1])
    assert "repas" not in new.answers and not new.documents.exists()
