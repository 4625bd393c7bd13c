"""The audit trail answers « who saw this child's data, and when »: every
staff read of a dossier or a document (from the workspace or through the
family's document URL), every decision, and the report page that shows it."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client

from forms.models import Document
from tests.factories import GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from tests.forms.conftest import PDF
from workflows import services
from workflows.audit import audit_for_child, audit_readers
from workflows.constants import DossierAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    school_x, school_y = SchoolFactory(), SchoolFactory()
    director_x, director_y, deputy_x = (UserFactory(director=True) for _ in range(3))
    school_x.directors.add(director_x, deputy_x)
    school_y.directors.add(director_y)
    parent = GuardianFactory()
    with transaction.atomic():
        submission = SubmissionFactory(submitted=True, child__family=parent.family, school=school_x,
                                       submitted_by=parent)
        document = Document(submission=submission, field_name="acte", original_name="acte.pdf",
                            content_type="application/pdf", size=len(PDF), uploaded_by=parent)
        document.file.save("acte.pdf", ContentFile(PDF), save=False)
        document.save()
        dossier = services.dossier_open(submission=submission)
    return {"dossier": dossier, "document": document, "parent": parent, "director_x": director_x,
            "deputy_x": deputy_x, "director_y": director_y, "child": dossier.child}


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_staff_read_and_decision_is_in_the_childs_audit(world):
    dossier, document, child = world["dossier"], world["document"], world["child"]
    director = as_user(world["director_x"])
    assert director.get(f"/cms/dossiers/{dossier.pk}/").status_code == 200
    assert director.get(f"/dossiers/documents/{document.public_id}/").status_code == 200
    # The one path of a document serves every director of the school, each read audited.
    deputy = as_user(world["deputy_x"])
    response = deputy.get(f"/dossiers/documents/{document.public_id}/")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    director.post(f"/cms/dossiers/{dossier.pk}/decision/validate/", {"validate-comment": "Complet"})

    reads = list(audit_for_child(child=child, reads_only=True).values_list("actor__email", "action", "document_name"))
    assert (world["director_x"].email, DossierAction.VIEWED, "") in reads
    assert (world["director_x"].email, DossierAction.DOCUMENT_VIEWED, "acte.pdf") in reads
    assert (world["deputy_x"].email, DossierAction.DOCUMENT_VIEWED, "acte.pdf") in reads
    actions = set(audit_for_child(child=child).values_list("action", flat=True))
    assert DossierAction.VALIDATED in actions
    readers = {line["actor"].email: line["count"] for line in audit_readers(child=child)}
    assert readers[world["director_x"].email] >= 2 and readers[world["deputy_x"].email] == 1


def test_the_family_reading_its_own_documents_is_not_a_staff_read(world):
    parent = as_user(world["parent"])
    response = parent.get(f"/dossiers/documents/{world['document'].public_id}/")
    assert response.status_code == 200
    assert not audit_for_child(child=world["child"], reads_only=True).exists()


def test_the_report_page_shows_who_read_and_is_closed_to_others(world):
    dossier = world["dossier"]
    as_user(world["deputy_x"]).get(f"/cms/dossiers/{dossier.pk}/")
    director = as_user(world["director_x"])
    page = director.get(f"/cms/dossiers/{dossier.pk}/consultations/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Qui a consulté" in html and world["deputy_x"].email in html
    assert "Dossier consulté" in html
    assert f"/cms/dossiers/{dossier.pk}/consultations/" in director.get(f"/cms/dossiers/{dossier.pk}/").content.decode()
    for outsider in (world["director_y"], world["parent"], UserFactory(editor=True)):
        response = as_user(outsider).get(f"/cms/dossiers/{dossier.pk}/consultations/")
        assert response.status_code in {302, 404}
        assert world["deputy_x"].email not in response.content.decode()


def test_a_director_does_not_learn_of_the_childs_dossiers_at_other_schools(world):
    child = world["child"]
    with transaction.atomic():
        other = SubmissionFactory(submitted=True, child=child, school=SchoolFactory(name="École Ailleurs"),
                                  submitted_by=world["parent"])
        services.dossier_open(submission=other)
    events = audit_for_child(child=child, visible_to=world["director_x"])
    assert {e.dossier_id for e in events} == {world["dossier"].pk}
    html = as_user(world["director_x"]).get(f"/cms/dossiers/{world['dossier'].pk}/consultations/").content.decode()
    assert "École Ailleurs" not in html
