"""The one way to serve a private file: a response that no cache keeps,
whose type the browser may not guess, and which runs nothing even when a
document is shown inline."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse

# Shown in the browser rather than downloaded (the staff's dossier page
# embeds them); anything else is an attachment.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
SANDBOX_POLICY = "default-src 'none'; img-src 'self'; object-src 'self'; sandbox"


def _harden(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    return response


def private_file_response(field_file, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    """Stream a stored file (a ``FieldFile``). A file missing from the
    storage is a 404, never a 500."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, filename=filename,
        as_attachment=not (inline and content_type in INLINE_TYPES),
    )
    return _harden(response)


def private_bytes_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A file made for this request (a PDF, an XML, a ZIP), as a download."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = _attachment(filename)
    return _harden(response)


def _attachment(filename: str) -> str:
    # FileResponse's own header logic, for bytes: ASCII names as they are,
    # others RFC 5987-encoded.
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=filename)
