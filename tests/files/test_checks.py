"""The parsed walk of ``files.checks`` is the PDF check, not the byte scan
before it: on its own it finds every active variant, and leaves the
harmless ones (the HTTP tests are in tests/security/test_files.py)."""

import io

import pytest
from pypdf import PdfReader

from files.checks import _pdf_bytes_look_active, pdf_active_content
from tests.files.pdfs import ACTIVE, HARMLESS


@pytest.mark.parametrize("variant", list(ACTIVE))
def test_the_parsed_document_alone_finds_every_active_variant(variant):
    assert pdf_active_content(PdfReader(io.BytesIO(ACTIVE[variant]), strict=False))


@pytest.mark.parametrize("variant", list(HARMLESS))
def test_harmless_features_are_not_active(variant):
    content = HARMLESS[variant]
    assert pdf_active_content(PdfReader(io.BytesIO(content), strict=False)) is None
    assert not _pdf_bytes_look_active(content)


def test_the_byte_scan_cannot_see_into_object_streams():
    """Why the parsed walk is needed: compressed objects hide their names."""
    assert not _pdf_bytes_look_active(ACTIVE["open action hidden in an object stream"])
    assert _pdf_bytes_look_active(ACTIVE["open action, every letter escaped"])  # escapes are decoded
