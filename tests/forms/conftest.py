"""The small world of the form builder's tests: a site, a school, a family
with two children and a signed-in parent, and form pages built with the
builder's blocks."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from accounts.models import Child, Family
from inscrire.demo.enrolment import _file, _heading, _paragraph, _q, _step, _when  # noqa: F401 — re-exported
from workflows.models import ProcedurePage
from tests.factories import SchoolFactory, UserFactory, site_home

# A valid 1×1 PNG (images are decoded and re-encoded by Pillow: forms/filechecks.py).
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc````\x00\x00\x00\x05\x00\x01\xa5\xf6E@\x00\x00\x00\x00IEND\xaeB`\x82")
# A real one-page PDF, written by pypdf (uploads are opened with pypdf: forms/filechecks.py).
PDF = (b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<\n/Producer (pypdf)\n>>\nendobj\n2 0 obj\n<<\n/Type /Pages\n"
       b"/Count 1\n/Kids [ 4 0 R ]\n>>\nendobj\n3 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n4 0 obj\n"
       b"<<\n/Type /Page\n/Resources <<\n>>\n/MediaBox [ 0.0 0.0 72 72 ]\n/Parent 2 0 R\n>>\nendobj\nxref\n0 5\n"
       b"0000000000 65535 f \n0000000015 00000 n \n0000000054 00000 n \n0000000113 00000 n \n0000000162 00000 n \n"
       b"trailer\n<<\n/Size 5\n/Root 3 0 R\n/Info 1 0 R\n>>\nstartxref\n254\n%%EOF\n")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def upload(name: str, content: bytes):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def confirmed(user):
    """A parent who may submit (accounts' blockers: confirmed e-mail)."""
    if hasattr(user, "email_confirmed_at"):
        type(user).objects.filter(pk=user.pk).update(email_confirmed_at=timezone.now())
        user.refresh_from_db()
    return user


@pytest.fixture
def home(db):
    return site_home(slug="accueil-formulaires")


@pytest.fixture
def school(db):
    return SchoolFactory(name="École du Bourg", postal_code="97228", commune="Sainte-Luce")


@pytest.fixture
def family(school):
    family = Family.objects.create(name="Joseph", address="12 rue des Flamboyants", postal_code="97228",
                                   commune="Sainte-Luce", phone="0696 11 22 33")
    family.schools.add(school)
    return family


@pytest.fixture
def children(family):
    return [
        Child.objects.create(family=family, first_name="Léa", last_name="Joseph",
                             birth_date=dt.date(2021, 3, 14), level="PS"),
        Child.objects.create(family=family, first_name="Noé", last_name="Joseph",
                             birth_date=dt.date(2018, 9, 2), level="CP"),
    ]


@pytest.fixture
def parent(family):
    return confirmed(UserFactory(email="marie@example.org", first_name="Marie", last_name="Joseph", family=family))


@pytest.fixture
def parent_client(client, parent):
    client.force_login(parent)
    return client


@pytest.fixture
def other_family(school):
    family = Family.objects.create(name="Autre")
    child = Child.objects.create(family=family, first_name="Tom", last_name="Autre", birth_date=dt.date(2019, 1, 1))
    user = confirmed(UserFactory(email="autre@example.org", family=family))
    return family, child, user


SWITCHES = ("validation_required", "validation_role", "corrections_allowed", "payment_required", "attestation_enabled")


def make_page(home, steps, *, slug="inscription", **fields) -> ProcedurePage:
    """A published procedure page. Its stages are ``stages=`` (blocks), or
    what the old switches say (``payment_required=True``…), or by default a
    review by the school's directors."""
    from tests.factories import switch_stages

    switches = {name: fields.pop(name) for name in SWITCHES if name in fields}
    if "stages" not in fields:
        fields["stages"] = switch_stages(**switches)
    page = ProcedurePage(title=fields.pop("title", "Inscription test"), slug=slug, form=steps, **fields)
    home.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def start(client, page, child, **extra):
    """Open the child's dossier through the page's button; returns the dossier."""
    from forms.models import Submission

    response = client.post("/dossiers/commencer/", {"page": page.pk, "child": child.pk, **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Submission.objects.get(page=page, child=child)


def step_url(submission, index: int) -> str:
    return f"/dossiers/{submission.public_id}/etape/{index}/"


def review_url(submission) -> str:
    return f"/dossiers/{submission.public_id}/recapitulatif/"
