"""The one check pipeline for every upload of the portal: a family's
documents on a dossier, a signed SEPA mandate, and whatever comes next.

``check_upload(upload, kinds=…, max_mb=…)`` first refuses a file too big, of
a kind not allowed, or whose first bytes are not what its name says; then
it looks at what the file *contains*:

- archives (ZIP, RAR, 7z, gzip…) are refused, whatever their name;
- a PDF must open (pypdf), have at least one page, not be encrypted, and
  carry no active content: its *parsed* objects are walked (catalogue,
  ``/OpenAction``, ``/AA`` of pages and annotations, ``/Names`` trees,
  annotations, object streams included), with names read as a viewer reads
  them (``/Java#53cript`` is ``/JavaScript``); scripts, launch and other
  external actions, embedded files, rich media and XFA forms are refused
  wherever they are. A byte scan runs first, as a cheap early refusal only;
- an image is refused by its pixel count, read from its header before
  anything is decoded (``IMAGE_MAX_PIXELS``: a scanned A4 page at 300 dpi is
  about 8.7 million pixels); it is then decoded within that bound (a large
  JPEG at a reduced scale), re-encoded, turned upright and stripped of its
  metadata (EXIF: GPS position, camera, date) before it is stored;
- when ``CLAMAV_URL`` is set (``tcp://host:3310`` or ``unix:///run/clamav/clamd.ctl``),
  the bytes are scanned by clamd (INSTREAM); a virus, or a clamd that
  cannot be reached, refuses the file (fail closed: these are children's
  documents).

It raises ``ValidationError`` with a French message, or returns the safe
name and the content type, with ``upload`` ready to store (its content
replaced for images).
"""

from __future__ import annotations

import io
import logging
import re
import socket
import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import urlparse

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from .constants import FILE_KINDS

logger = logging.getLogger(__name__)

CLAMAV_CHUNK = 64 * 1024
CLAMAV_TIMEOUT = 30


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check: a name safe to show and to put
    in ``Content-Disposition``, and its real content type."""

    name: str
    content_type: str
    kind: str


def check_upload(upload, *, kinds: Iterable[str], max_mb: int) -> CheckedUpload:
    """Every check, in order of cost. ``kinds`` are ``FileKind`` values."""
    kinds = [k for k in kinds if k in FILE_KINDS]
    if upload.size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("Ce fichier pèse %(size)s : la taille maximale est de %(max)s Mo.")
            % {"size": human_size(upload.size), "max": max_mb},
            code="too_big",
        )
    extension = (upload.name.rsplit(".", 1)[-1] if "." in upload.name else "").lower()
    kind = next((k for k in kinds if extension in FILE_KINDS[k]["extensions"]), None)
    if kind is None:
        raise ValidationError(
            _("Ce type de fichier n'est pas accepté : joignez un fichier %(kinds)s (%(max)s Mo au plus).")
            % {"kinds": kinds_label(kinds), "max": max_mb},
            code="type",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guessed = filetype.guess(head)
    if guessed is None or guessed.mime != FILE_KINDS[kind]["mime"]:
        raise ValidationError(
            _("Le contenu de ce fichier ne correspond pas à un fichier %(kind)s : il est peut-être abîmé "
              "ou mal nommé. Joignez un fichier %(kinds)s.")
            % {"kind": kinds_label([kind]), "kinds": kinds_label(kinds)},
            code="content",
        )
    mime = FILE_KINDS[kind]["mime"]
    inspect_upload(upload, mime=mime)
    return CheckedUpload(name=sanitize_filename(upload.name, kind), content_type=mime, kind=kind)


def accept_attribute(kinds: Iterable[str]) -> str:
    """The ``accept`` attribute of a file input for ``kinds``."""
    values = []
    for kind in kinds:
        values += [f".{ext}" for ext in sorted(FILE_KINDS[kind]["extensions"])] + [FILE_KINDS[kind]["mime"]]
    return ",".join(values)


def kinds_label(kinds: Iterable[str]) -> str:
    """« PDF, JPEG ou PNG »."""
    names = {"pdf": "PDF", "jpg": "JPEG", "png": "PNG"}
    labels = [names[k] for k in kinds if k in names]
    if len(labels) <= 1:
        return "".join(labels)
    return _("%(list)s ou %(last)s") % {"list": ", ".join(labels[:-1]), "last": labels[-1]}


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(n)s Mo") % {"n": f"{size / (1024 * 1024):.1f}".replace(".", ",")}
    return _("%(n)s Ko") % {"n": max(1, round(size / 1024))}


def sanitize_filename(name: str, extension: str) -> str:
    """A name safe to show and to put in ``Content-Disposition``: no path, no
    control characters, no accents, a bounded length, the right extension."""
    base = PurePath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    try:
        stem = get_valid_filename(stem)
    except Exception:  # noqa: BLE001 — Django raises SuspiciousFileOperation for « . » and « .. »
        stem = ""
    stem = stem.strip("._-")[:80] or "document"
    return f"{stem}.{extension}"


def inspect_upload(upload, *, mime: str) -> None:
    """What the file contains, once its kind is known."""
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    _refuse_archives(content)
    if mime == "application/pdf":
        _check_pdf(content)
    elif mime in {"image/jpeg", "image/png"}:
        _replace_content(upload, _reencode_image(content, mime))
    if getattr(settings, "CLAMAV_URL", ""):
        upload.seek(0)
        verdict = clamav_scan(upload.read())
        upload.seek(0)
        if verdict is not None:
            logger.warning("Upload refused by ClamAV: %s", verdict)
            raise ValidationError(
                _("Ce fichier contient un virus (%(name)s) : il a été refusé. Analysez votre appareil puis "
                  "joignez un autre fichier.") % {"name": verdict},
                code="virus",
            )


ARCHIVES = {
    "application/zip", "application/x-rar-compressed", "application/x-7z-compressed", "application/gzip",
    "application/x-bzip2", "application/x-xz", "application/x-tar", "application/x-lzip", "application/zstd",
    "application/x-compress", "application/vnd.ms-cab-compressed", "application/x-msdownload",
}


def _refuse_archives(content: bytes) -> None:
    if filetype.guess_mime(content[:8192]) in ARCHIVES:
        raise ValidationError(
            _("Les archives (ZIP, RAR…) ne sont pas acceptées : joignez le document lui-même."), code="archive"
        )


# --- PDF ------------------------------------------------------------------------------------------

# What a PDF may not carry. Names are compared as a viewer reads them: pypdf
# decodes ``#xx`` escapes, and the comparison ignores case (no harmless name
# of a scanned document is one of these in another case).
#
# Keys that hold active content wherever they appear: scripts (``/JS``, the
# ``/JavaScript`` name tree), embedded files (the ``/EmbeddedFiles`` name
# tree, a file specification's ``/EF``), rich media, XFA forms.
PDF_ACTIVE_KEYS = frozenset(
    name.casefold()
    for name in ("JS", "JavaScript", "EmbeddedFiles", "EmbeddedFile", "EF", "RichMediaContent",
                 "RichMediaSettings", "XFA")
)
# Values of ``/S`` (an action's type), ``/Type`` and ``/Subtype`` that are
# active: actions that run a script, start a program, open or send to
# another file or address, play media; embedded files and their annotations.
PDF_ACTIVE_TYPES = frozenset(
    name.casefold()
    for name in ("JavaScript", "Launch", "SubmitForm", "ImportData", "GoToR", "GoToE", "Rendition", "Sound",
                 "Movie", "RichMedia", "RichMediaExecute", "EmbeddedFile", "FileAttachment", "3D", "Screen")
)
# What an action that runs by itself (``/OpenAction``, ``/AA`` of the
# document, a page, an annotation or a form field) may be: moving to a
# page. Anything else (a link opened, a form reset, a name run…) is
# refused there, although a link the reader clicks (``/URI``) is allowed.
PDF_AUTOMATIC_ALLOWED = frozenset({"goto"})
# A PDF has this many objects at most (dictionary entries and array items
# included): far above any scan, and it bounds the time the walk takes.
PDF_MAX_NODES = 2_000_000

# The cheap first pass on the raw bytes: a name that is never harmless, as a
# whole PDF token, written plainly or with ``#xx`` escapes. It only refuses
# early; the parsed walk below is the check (``/Screen`` or ``/Sound`` may be
# a blend mode or a resource name in a page's content, so they are left to it).
PDF_ACTIVE_TOKENS = frozenset(
    name.casefold()
    for name in ("JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "RichMediaContent",
                 "RichMediaExecute", "XFA", "SubmitForm", "ImportData")
)
_PDF_DELIMITERS = rb"\s()<>\[\]{}/%"
_PDF_NAME = re.compile(rb"/([^" + _PDF_DELIMITERS + rb"]+)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")


class _PdfActive(Exception):
    """Active content found: where, for the log."""


def _pdf_active_error() -> ValidationError:
    return ValidationError(
        _("Ce PDF contient du code ou des fichiers joints, qui ne sont pas acceptés. Imprimez-le en PDF "
          "(« Enregistrer au format PDF ») ou scannez-le, puis joignez-le."),
        code="pdf_active",
    )


def _pdf_malformed_error() -> ValidationError:
    return ValidationError(
        _("Ce PDF est abîmé ou incomplet : il ne s'ouvre pas. Enregistrez-le à nouveau ou scannez le "
          "document, puis joignez-le."),
        code="pdf_malformed",
    )


def _pdf_name(raw: bytes) -> str:
    """A name token of the file as a viewer reads it: ``#xx`` decoded once."""
    return _PDF_HEX.sub(lambda m: bytes([int(m[1], 16)]), raw).decode("latin-1").casefold()


def _pdf_bytes_look_active(content: bytes) -> bool:
    return any(_pdf_name(match[1]) in PDF_ACTIVE_TOKENS for match in _PDF_NAME.finditer(content))


def _check_pdf(content: bytes) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
    except Exception:  # noqa: BLE001 — pypdf raises many kinds of errors on a broken file
        pages, encrypted = 0, False
    if encrypted:
        raise ValidationError(
            _("Ce PDF est protégé par un mot de passe : l'école ne pourrait pas le lire. Joignez une version "
              "sans mot de passe."),
            code="pdf_encrypted",
        )
    if pages < 1:
        raise _pdf_malformed_error()
    if _pdf_bytes_look_active(content):
        logger.warning("PDF refused: an active name in its bytes")
        raise _pdf_active_error()
    try:
        found = pdf_active_content(reader)
    except Exception:  # noqa: BLE001 — an object pypdf cannot read may be one a viewer reads: fail closed
        logger.warning("PDF refused: an object could not be read", exc_info=True)
        raise _pdf_malformed_error() from None
    if found:
        logger.warning("PDF refused: %s", found)
        raise _pdf_active_error()


def pdf_active_content(reader) -> str | None:
    """What active content the parsed document holds (for the log), or None.
    This, not the byte scan, is the check."""
    try:
        _pdf_walk(reader)
    except _PdfActive as found:
        return str(found)
    return None


def _pdf_walk(reader) -> None:
    """Every object of the document, parsed: the trailer, every object of
    the cross-reference table or streams (those kept in object streams
    included) and whatever they point to. Raises ``_PdfActive``."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    for generation, numbers in reader.xref.items():
        stack.extend(IndirectObject(number, generation, reader) for number in numbers)
    stack.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    nodes = 0
    while stack:
        item = stack.pop()
        nodes += 1
        if nodes > PDF_MAX_NODES:
            raise _PdfActive("too many objects to inspect")
        if isinstance(item, IndirectObject):
            reference = (item.idnum, item.generation)
            if reference in seen:
                continue
            seen.add(reference)
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # stream dictionaries included
            for key, value in item.items():
                name = str(key).lstrip("/").casefold()
                if name in PDF_ACTIVE_KEYS:
                    raise _PdfActive(f"key {key}")
                if name in {"s", "type", "subtype"} and isinstance(_resolved(value), NameObject):
                    if str(_resolved(value)).lstrip("/").casefold() in PDF_ACTIVE_TYPES:
                        raise _PdfActive(f"{key} {_resolved(value)}")
                if name == "openaction":
                    _pdf_check_automatic(_resolved(value), key)
                elif name == "aa":
                    triggers = _resolved(value)
                    if isinstance(triggers, DictionaryObject):
                        for trigger, action in triggers.items():
                            _pdf_check_automatic(_resolved(action), f"/AA {trigger}")
                    elif triggers is not None:
                        raise _PdfActive("/AA that is not a dictionary")
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _resolved(value):
    from pypdf.generic import IndirectObject

    return value.get_object() if isinstance(value, IndirectObject) else value


def _pdf_check_automatic(action, where) -> None:
    """An action run without the reader asking (``/OpenAction``, ``/AA``),
    and the actions chained after it by ``/Next``: a move to a page only. A
    destination (an array) is a move to a page."""
    from pypdf.generic import ArrayObject, DictionaryObject, NullObject

    pending, count = [action], 0
    while pending:
        action = _resolved(pending.pop())
        count += 1
        if count > 1000:
            raise _PdfActive(f"{where}: too many chained actions")
        if action is None or isinstance(action, (ArrayObject, NullObject)):
            continue
        if not isinstance(action, DictionaryObject):
            raise _PdfActive(f"{where}: not an action")
        kind = str(_resolved(action.get("/S", ""))).lstrip("/").casefold()
        if kind not in PDF_AUTOMATIC_ALLOWED:
            raise _PdfActive(f"{where}: /S /{kind}")
        chained = _resolved(action.get("/Next"))
        if isinstance(chained, ArrayObject):
            pending.extend(chained)
        elif chained is not None:
            pending.append(chained)


# --- Images --------------------------------------------------------------------------------------

# The product's limit, read from the header before anything is decoded. A
# scanned A4 page at 300 dpi is 2480 × 3508 ≈ 8.7 million pixels, a phone's
# photo about 12 million: 24 million leaves room for both, and decoding one
# costs at most about 100 MB (four bytes a pixel). Pillow's own limit
# (about 179 million pixels before it refuses) let a 0.5 MB PNG of
# 13,300 × 13,300 pixels grow a web worker by 1.3 GB.
IMAGE_MAX_PIXELS = 24_000_000
# JPEG photos larger than this are decoded at a reduced scale (1/2, 1/4…)
# by the JPEG decoder itself, which never builds the full-size picture
# (what is stored still holds an A4 page at 200 dpi); a phone's 12-million
# pixel photo is kept whole.
IMAGE_DECODE_PIXELS = 16_000_000


def _image_too_large(width: int | None = None, height: int | None = None) -> ValidationError:
    if width is None or height is None:  # too large for Pillow even to say its size
        return ValidationError(
            _("Cette image est trop grande (en pixels) : la limite est de %(max)s millions de pixels. Réduisez-la "
              "ou scannez le document en PDF, puis joignez-la.") % {"max": IMAGE_MAX_PIXELS // 1_000_000},
            code="image_too_large",
        )
    return ValidationError(
        _("Cette image est trop grande : %(width)s × %(height)s pixels, soit %(mpx)s millions ; la limite est de "
          "%(max)s millions de pixels (une page A4 scannée à 300 ppp en compte 8,7). Réduisez-la ou "
          "scannez le document en PDF, puis joignez-la.")
        % {
            "width": width,
            "height": height,
            "mpx": f"{width * height / 1_000_000:.1f}".replace(".", ","),
            "max": IMAGE_MAX_PIXELS // 1_000_000,
        },
        code="image_too_large",
    )


def _reencode_image(content: bytes, mime: str) -> bytes:
    from PIL import Image, ImageOps

    unreadable = ValidationError(
        _("Cette image est abîmée ou ne peut pas être lue. Prenez une nouvelle photo ou joignez un PDF."),
        code="image_malformed",
    )
    fmt = "JPEG" if mime == "image/jpeg" else "PNG"
    width = height = None
    try:
        # Image.open reads the header only: the size is known before any pixel is decoded.
        with Image.open(io.BytesIO(content), formats=[fmt]) as probe:
            width, height = probe.size
            if width * height > IMAGE_MAX_PIXELS:
                raise _image_too_large(width, height)
            probe.verify()
        with Image.open(io.BytesIO(content), formats=[fmt]) as image:
            if fmt == "JPEG" and width * height > IMAGE_DECODE_PIXELS:
                scale = 2
                while width * height > IMAGE_DECODE_PIXELS * scale * scale:
                    scale *= 2
                image.draft("RGB", (width // scale, height // scale))
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
            # Nothing of the original's metadata is written back (EXIF, text chunks, ICC…).
            transparency = image.info.get("transparency")
            image.info = {} if transparency is None else {"transparency": transparency}
            output = io.BytesIO()
            if fmt == "JPEG":
                if image.mode != "RGB":
                    image = image.convert("RGB")
                image.save(output, "JPEG", quality=90, optimize=True)
            else:
                if image.mode not in {"1", "L", "LA", "P", "RGB", "RGBA"}:
                    image = image.convert("RGBA")
                image.save(output, "PNG", optimize=True)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _image_too_large(width, height) from None
    except Exception:  # noqa: BLE001 — Pillow raises many kinds of errors on a broken file
        raise unreadable from None
    return output.getvalue()


def _replace_content(upload, content: bytes) -> None:
    """Put the re-encoded bytes in place of the uploaded ones."""
    old = getattr(upload, "file", None)
    upload.file = io.BytesIO(content)
    upload.size = len(content)
    if old is not None and hasattr(old, "close"):
        old.close()


# --- ClamAV ------------------------------------------------------------------------------------


def _clamd_socket() -> socket.socket:
    url = urlparse(settings.CLAMAV_URL)
    if url.scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(CLAMAV_TIMEOUT)
        sock.connect(url.path)
    else:
        sock = socket.create_connection((url.hostname, url.port or 3310), timeout=CLAMAV_TIMEOUT)
    return sock


def clamav_scan(content: bytes) -> str | None:
    """The virus name clamd found in ``content``, or None when clean.
    Raises ``ValidationError`` when clamd cannot give an answer."""
    try:
        with _clamd_socket() as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(content), CLAMAV_CHUNK):
                chunk = content[start : start + CLAMAV_CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as error:
        logger.error("ClamAV unreachable at %s: %s", settings.CLAMAV_URL, error)
        reply = b""
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer.endswith("OK"):
        return None
    if answer.endswith("FOUND"):
        return answer.split(":", 1)[-1].removesuffix("FOUND").strip()
    logger.error("ClamAV gave no verdict: %r", answer)
    raise ValidationError(
        _("L'analyse antivirus est momentanément indisponible : le fichier n'a pas été enregistré. Réessayez "
          "dans quelques minutes."),
        code="antivirus_unavailable",
    )
