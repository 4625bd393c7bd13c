"""The one check pipeline for every upload of the portal: a family's
documents on a dossier, a signed SEPA mandate, and whatever comes next.

``check_upload(upload, kinds=…, max_mb=…)`` first refuses a file too big, of
a kind not allowed, or whose first bytes are not what its name says; then
it looks at what the file *contains*:

- archives (ZIP, RAR, 7z, gzip…) are refused, whatever their name;
- a PDF must open (pypdf), have at least one page, not be encrypted, and
  carry no JavaScript, launch action or embedded file;
- an image must decode (Pillow, with its decompression-bomb limit); it is
  re-encoded, turned upright and stripped of its metadata (EXIF: GPS
  position, camera, date) before it is stored;
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

PDF_DANGERS = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")
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
        raise ValidationError(
            _("Ce PDF est abîmé ou incomplet : il ne s'ouvre pas. Enregistrez-le à nouveau ou scannez le "
              "document, puis joignez-le."),
            code="pdf_malformed",
        )
    if any(marker in content for marker in PDF_DANGERS):
        raise ValidationError(
            _("Ce PDF contient du code ou des fichiers joints, qui ne sont pas acceptés. Imprimez-le en PDF "
              "(« Enregistrer au format PDF ») ou scannez-le, puis joignez-le."),
            code="pdf_active",
        )


def _reencode_image(content: bytes, mime: str) -> bytes:
    from PIL import Image, ImageOps

    unreadable = ValidationError(
        _("Cette image est abîmée ou ne peut pas être lue. Prenez une nouvelle photo ou joignez un PDF."),
        code="image_malformed",
    )
    try:
        with Image.open(io.BytesIO(content)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            output = io.BytesIO()
            if mime == "image/jpeg":
                image.convert("RGB").save(output, "JPEG", quality=90, optimize=True)
            else:
                if image.mode not in {"1", "L", "LA", "P", "RGB", "RGBA"}:
                    image = image.convert("RGBA")
                image.save(output, "PNG", optimize=True)
    except Image.DecompressionBombError:
        raise ValidationError(
            _("Cette image est trop grande (en pixels). Réduisez-la ou joignez un PDF."), code="image_too_large"
        ) from None
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
