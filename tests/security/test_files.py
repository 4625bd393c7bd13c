"""Uploaded documents are checked by what they contain: encrypted,
malformed or active PDFs (active content found in the parsed document,
however its names are written and wherever it hides: tests/files/pdfs.py)
and archives are refused, images too large in pixels are refused from
their header before being decoded (and the worker's memory is measured),
the others are re-encoded without their metadata, and a virus found by
clamd is refused (a fake clamd on a local socket speaking INSTREAM; a real
one when CLAMAV_URL points to one)."""

import io
import socket
import struct
import threading

import pytest
from django.conf import settings
from django.test import override_settings
from PIL import Image

from files.checks import IMAGE_MAX_PIXELS, clamav_scan
from forms.models import Document
from tests.files import images
from tests.files.pdfs import ACTIVE, HARMLESS
from tests.forms.conftest import (  # noqa: F401 — fixtures
    PDF,
    PNG,
    _file,
    _step,
    children,
    family,
    home,
    make_page,
    parent,
    parent_client,
    school,
    start,
    step_url,
    upload,
)

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture
def dossier(home, school, children, parent_client):
    page = make_page(home, [_step("Pièces", "", [_file("Acte de naissance", "acte", "")])], slug="pieces")
    page.schools.add(school)
    return start(parent_client, page, children[0])


def send(client, dossier, name, content):
    return client.post(step_url(dossier, 0), {"acte": upload(name, content), "_action": "save"})


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def photo_with_gps(fmt: str) -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Appareil Espion"  # Make
    exif[0x8825] = {1: "N", 2: (14.0, 28.0, 0.0)}  # GPS position
    out = io.BytesIO()
    if fmt == "PNG":
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "adresse : 12 rue des Flamboyants")
        image.save(out, "PNG", pnginfo=info, exif=exif)
    else:
        image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("acte.pdf", encrypted_pdf(), "protégé par un mot de passe"),
        ("acte.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50, "abîmé ou incomplet"),
        ("acte.pdf", PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
         "contient du code"),
        ("acte.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "abîmée"),
    ],
)
def test_bad_documents_are_refused_with_a_clear_message(parent_client, dossier, name, content, message):
    response = send(parent_client, dossier, name, content)
    assert message in response.content.decode().replace("&#39;", "'")
    assert not Document.objects.exists()


def test_an_archive_is_refused_whatever_its_name(parent_client, dossier):
    archive = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("acte.pdf", PDF)
    for name in ("acte.pdf", "acte.png", "acte.zip"):
        response = send(parent_client, dossier, name, archive.getvalue())
        assert response.status_code in {200, 400}
        assert not Document.objects.exists()


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "photo.jpg"), ("PNG", "photo.png")])
def test_images_are_stored_reencoded_without_metadata(parent_client, dossier, fmt, name):
    original = photo_with_gps(fmt)
    assert b"Appareil Espion" in original
    send(parent_client, dossier, name, original)
    document = Document.objects.get()
    stored = document.file.open("rb").read()
    assert b"Appareil Espion" not in stored and b"Flamboyants" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == fmt and image.size == (40, 30)
        assert not image.getexif()
    assert document.size == len(stored)


@pytest.mark.parametrize("variant", list(ACTIVE))
def test_active_content_is_refused_however_it_is_written_or_hidden(parent_client, dossier, variant):
    """The probe's birth certificate had an ``/OpenAction`` script whose
    names were written with ``#xx`` escapes; its variants hide the script,
    a launch or an embedded file in object streams, name trees, pages' and
    annotations' additional actions, chained actions."""
    response = send(parent_client, dossier, "acte.pdf", ACTIVE[variant])
    assert response.status_code == 200
    assert "Ce PDF contient du code ou des fichiers joints" in response.content.decode().replace("&#39;", "'")
    assert not Document.objects.exists()


@pytest.mark.parametrize("variant", list(HARMLESS))
def test_what_printed_and_scanned_pdfs_carry_is_accepted(parent_client, dossier, variant):
    send(parent_client, dossier, "acte.pdf", HARMLESS[variant])
    assert Document.objects.get().file.open("rb").read() == HARMLESS[variant]


def test_an_image_too_large_in_pixels_is_refused_from_its_header_without_memory(parent_client, dossier):
    """The probe's 0.5 MB PNG of 13,300 × 13,300 pixels was accepted after
    10 s, the worker growing from 333 MB to 1.65 GB: now it is refused from
    its header, and the request's peak memory stays small."""
    bomb = images.bomb()
    assert len(bomb) < 600_000
    response, growth = images.peak_rss_growth(lambda: send(parent_client, dossier, "scan.png", bomb))
    page = response.content.decode()
    assert "Cette image est trop grande : 13300 × 13300 pixels, soit 176,9 millions" in page
    assert "la limite est de 24 millions de pixels" in page
    assert not Document.objects.exists()
    assert growth < 60 * 1024 * 1024, f"the request grew the process by {growth / 2**20:.0f} MB"


def test_an_image_at_the_limit_is_accepted_within_a_bounded_memory(parent_client, dossier):
    """The largest PNG accepted (24 million pixels, four bytes each once
    decoded) costs about its decoded size, never more than twice."""
    width = 6_000
    height = IMAGE_MAX_PIXELS // width
    picture = images.png(width, height, rgba=True)
    response, growth = images.peak_rss_growth(lambda: send(parent_client, dossier, "scan.png", picture))
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Document.objects.get().file.open("rb").read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (width, height)
    assert growth < 2 * 4 * IMAGE_MAX_PIXELS, f"the request grew the process by {growth / 2**20:.0f} MB"


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(parent_client, dossier):
    photo = io.BytesIO()
    Image.new("RGB", (6_000, 4_000), (250, 250, 240)).save(photo, "JPEG", quality=70)
    response, growth = images.peak_rss_growth(
        lambda: send(parent_client, dossier, "scan.jpg", photo.getvalue())
    )
    assert response.status_code == 302
    with Image.open(Document.objects.get().file.open("rb")) as image:
        assert image.size == (3_000, 2_000)  # 6 million pixels: an A4 page at 200 dpi still reads
    assert growth < 3 * 6_000 * 4_000, f"the request grew the process by {growth / 2**20:.0f} MB"


def test_a_good_pdf_is_kept_as_it_is(parent_client, dossier):
    send(parent_client, dossier, "acte.pdf", PDF)
    assert Document.objects.get().file.open("rb").read() == PDF


# --- ClamAV ------------------------------------------------------------------------------------------


class FakeClamd:
    """clamd's INSTREAM on a local TCP socket: finds EICAR anywhere in the stream."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.scanned = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                assert command == b"zINSTREAM\0"
                data = b""
                while True:
                    (size,) = struct.unpack("!L", self._read(conn, 4))
                    if size == 0:
                        break
                    data += self._read(conn, size)
                self.scanned += 1
                verdict = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in data else b"stream: OK\0"
                conn.sendall(verdict)

    @staticmethod
    def _read(conn, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise OSError("closed")
            data += chunk
        return data

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def clamd():
    fake = FakeClamd()
    with override_settings(CLAMAV_URL=f"tcp://127.0.0.1:{fake.port}"):
        yield fake
    fake.close()


def test_a_virus_found_by_clamd_is_refused(parent_client, dossier, clamd):
    infected = PDF + b"\n" + EICAR + b"\n"
    response = send(parent_client, dossier, "acte.pdf", infected)
    assert "contient un virus (Eicar-Test-Signature)" in response.content.decode()
    assert not Document.objects.exists()
    send(parent_client, dossier, "acte.pdf", PDF)
    assert Document.objects.count() == 1
    assert clamd.scanned == 2


def test_clamd_configured_but_unreachable_refuses_the_file(parent_client, dossier):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with override_settings(CLAMAV_URL=f"tcp://127.0.0.1:{port}"):
        response = send(parent_client, dossier, "acte.pdf", PDF)
    assert "analyse antivirus est momentanément indisponible" in response.content.decode()
    assert not Document.objects.exists()


def _real_clamd_reachable() -> bool:
    if not settings.CLAMAV_URL:
        return False
    try:
        clamav_scan(b"ping")
        return True
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.skipif(not _real_clamd_reachable(), reason="pas de clamd joignable (CLAMAV_URL)")
def test_a_real_clamd_finds_eicar():
    assert "Eicar" in (clamav_scan(EICAR) or "")
    assert clamav_scan(b"un document ordinaire") is None


# --- Without antivirus ------------------------------------------------------------------------------


@pytest.fixture
def administrator(db, client):
    from tests.factories import UserFactory

    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def test_the_dashboard_says_when_uploads_are_not_scanned(client, administrator):
    with override_settings(CLAMAV_URL="", ANTIVIRUS_TURNED_OFF=True):
        page = client.get("/cms/").content.decode().replace("&#x27;", "'")
    assert "Antivirus désactivé" in page
    assert "L'analyse antivirus des documents est désactivée (CLAMAV_URL=off)" in page
    with override_settings(CLAMAV_URL="", ANTIVIRUS_TURNED_OFF=False):
        page = client.get("/cms/").content.decode().replace("&#x27;", "'")
    assert "Aucun antivirus n'est configuré" in page
    with override_settings(CLAMAV_URL="tcp://127.0.0.1:3310", ANTIVIRUS_TURNED_OFF=False):
        assert "Antivirus désactivé" not in client.get("/cms/").content.decode()


def test_without_antivirus_eicar_in_a_pdf_is_accepted(parent_client, dossier):
    """What the development defaults do not do (README, « Security »):
    without CLAMAV_URL nothing looks for viruses, so EICAR in a well-formed
    PDF passes the structural checks."""
    with override_settings(CLAMAV_URL=""):
        response = send(parent_client, dossier, "acte.pdf", PDF + b"\n" + EICAR + b"\n")
    assert response.status_code == 302
    assert Document.objects.count() == 1
