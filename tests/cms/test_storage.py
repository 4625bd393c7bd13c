"""Documents move to S3-compatible storage by configuration only (tested
against moto's S3 server on localhost)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_server():
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    client.create_bucket(Bucket="inscrire-documents")
    yield endpoint, client
    server.stop()


def test_private_documents_go_to_the_configured_bucket(s3_server, tmp_path):
    endpoint, client = s3_server
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="inscrire.settings.base",
        DATA_DIR=str(tmp_path),
        AWS_STORAGE_BUCKET_NAME="inscrire-documents",
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
    )
    code = (
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import storages\n"
        "private = storages['private']\n"
        "name = private.save('dossiers/acte-de-naissance.pdf', ContentFile(b'%PDF-1.4 contenu'))\n"
        "print(name)\n"
        "print(private.open(name).read().decode())\n"
        "print(private.url(name))\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    name, content, url = result.stdout.strip().splitlines()
    assert name == "dossiers/acte-de-naissance.pdf"
    assert content == "%PDF-1.4 contenu"
    # Private objects are reached only through signed, expiring URLs.
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=" in url
    stored = client.get_object(Bucket="inscrire-documents", Key="private/dossiers/acte-de-naissance.pdf")
    assert stored["Body"].read() == b"%PDF-1.4 contenu"
    assert not (tmp_path / "private").exists()
