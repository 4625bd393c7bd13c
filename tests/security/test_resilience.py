"""Nothing is lost: a backup restored into an emptied database gives back
every row and every document, byte for byte. And a database that goes away
gives a friendly 503, then the site recovers without a restart."""

import io
import tarfile

import pytest
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client

from inscrire.backup import EXCLUDED, model_counts
from forms.models import Document
from tests.factories import GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from tests.forms.conftest import PDF
from workflows import services
from workflows.models import Dossier, DossierEvent


def _snapshot() -> dict[str, str]:
    """Every row of every table the backup covers, serialised (natural keys,
    so that ids of content types do not matter), by model."""
    from django.apps import apps

    snapshot = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.app_label in EXCLUDED or meta.label_lower in EXCLUDED:
            continue
        rows = model._default_manager.order_by("pk")
        snapshot[meta.label_lower] = serializers.serialize("json", rows, use_natural_foreign_keys=True)
    return snapshot


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database_gives_everything_back(tmp_path):
    school = SchoolFactory()
    director = UserFactory(director=True)
    school.directors.add(director)
    parent = GuardianFactory()
    with transaction.atomic():
        submission = SubmissionFactory(submitted=True, child__family=parent.family, school=school,
                                       submitted_by=parent, answers={"remarque": "Allergie : arachide ✓"})
        document = Document(submission=submission, field_name="acte", original_name="acte.pdf",
                            content_type="application/pdf", size=len(PDF), uploaded_by=parent)
        document.file.save("acte.pdf", ContentFile(PDF), save=False)
        document.save()
        dossier = services.dossier_open(submission=submission)
    services.dossier_record_view(dossier=dossier, by=director)
    stored_name = document.file.name
    before = _snapshot()
    counts = model_counts()
    assert counts["workflows.dossier"] == 1 and counts["inscrire_forms.document"] == 1

    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only
    with tarfile.open(archive) as tar:
        assert f"files/private/{stored_name}" in tar.getnames()

    # Refused while the database holds accounts.
    with pytest.raises(CommandError, match="pas vide|not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())

    # Empty the database and the private storage, as on a new machine.
    document.file.storage.delete(stored_name)
    call_command("flush", interactive=False, verbosity=0)
    assert not Dossier.objects.exists() and not document.file.storage.exists(stored_name)

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "Restauration terminée" in out.getvalue()
    assert _snapshot() == before
    restored = Document.objects.get()
    assert restored.file.open("rb").read() == PDF
    assert DossierEvent.objects.filter(dossier__reference=dossier.reference).count() == 2
    # The restored site works: the family signs in and follows its dossier.
    client = Client()
    client.force_login(UserFactory._meta.model.objects.get(email=parent.email))
    response = client.get(f"/dossiers/{submission.public_id}/suivi/")
    assert response.status_code == 200 and dossier.reference in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_corrupt_or_foreign_archive_is_refused(tmp_path):
    bad = tmp_path / "x.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        info = tarfile.TarInfo("../../etc/passwd")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(CommandError, match="Restauration impossible"):
        call_command("restore", str(bad), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_database_unavailable_gives_a_friendly_503_then_recovers_without_restart(settings):
    """The connection is closed and the next one pointed at nowhere (a closed
    port on PostgreSQL, an unreachable file on SQLite), as while the server
    restarts; then the real address comes back."""
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(GuardianFactory())
    assert client.get("/compte/").status_code == 200
    real = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        import socket

        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=port)
    else:
        connection.settings_dict["NAME"] = "/nonexistent-folder/inscrire.sqlite3"
    try:
        for url in ("/compte/", "/dossiers/", "/"):
            response = client.get(url)
            assert response.status_code == 503, url
            assert response["Retry-After"] == "30"
            assert "momentanément indisponible" in response.content.decode()
            assert "Traceback" not in response.content.decode()
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(real)
    assert client.get("/compte/").status_code == 200
