"""Each question has its size limit, and the dossier as a whole has one:
a document that would take it over is refused next to its field, naming
the limit, and the documents already accepted stay."""

import io

import pytest
from pypdf import PdfWriter

from tests.forms.conftest import _file, _step, make_page, start, step_url, upload

pytestmark = pytest.mark.django_db


def big_pdf(kilobytes: int) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    writer.add_metadata({"/Subject": "x" * (kilobytes * 1024)})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_document_over_the_dossiers_total_is_refused(parent_client, home, children, settings):
    settings.DOSSIER_MAX_TOTAL_MB = 1
    page = make_page(home, [_step("Documents", "", [
        _file("Acte de naissance", "acte", ""), _file("Justificatif de domicile", "domicile", ""),
    ])])
    submission = start(parent_client, page, children[0])
    response = parent_client.post(step_url(submission, 0), {"acte": upload("acte.pdf", big_pdf(700)), "_action": "save"})
    assert response.status_code == 302
    response = parent_client.post(step_url(submission, 0), {"domicile": upload("edf.pdf", big_pdf(700))})
    html = response.content.decode()
    assert response.status_code == 200
    assert "le dossier dépasserait 1 Mo au total" in html
    assert 'id="id_domicile_error"' in html or "domicile" in html
    assert list(submission.documents.values_list("field_name", flat=True)) == ["acte"]
