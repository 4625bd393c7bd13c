"""Every upload of the portal goes through the one check pipeline,
``files.checks.check_upload``.

The inventory is read from the code itself: every ``FileField`` or
``ImageField`` (a form's or a model's, or a class deriving from one) and
every read of ``request.FILES`` in the project's apps. Each must have a line
in ``UPLOADS`` saying which HTTP probe proves its path; a new one without a
line fails ``test_every_upload_in_the_code_has_a_probe`` with the line to
add. Each probe then posts, over HTTP with the family's session, files the
pipeline refuses — a PDF whose script hides in an object stream with
escaped names (no byte scan sees it) and a picture of 177 million pixels —
and checks that ``check_upload`` received the file, that the answer says
why in French, and that nothing reached the storage. Files the portal makes
itself (exports, attestations) are listed as such, and must not be editable
through any admin form.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.snippets.models import get_snippet_models

from tests.billing.test_month_amounts import editor_client, year_of_services  # noqa: F401 — fixtures
from tests.billing.test_reservations import frozen  # noqa: F401 — fixture

from billing.constants import PaymentMode
from billing.models import Mandate
from files import checks
from forms.models import Document
from tests.files import images
from tests.files.pdfs import ACTIVE
from tests.forms.conftest import _file, _step, make_page, review_url, start, step_url
from tests.billing.conftest import awaiting, choose, creditor, pay_url  # noqa: F401 — fixtures
from tests.billing.test_bad_input import post_mandate
from tests.workflows.conftest import (  # noqa: F401 — fixtures
    child,
    director,
    family,
    home,
    parent,
    procedure,
    school,
)

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = ("accounts", "billing", "cms", "files", "forms", "inscrire", "notifications", "privacy", "workflows")
FILE_FIELDS = {"FileField", "ImageField"}

# --- The inventory, from the code -------------------------------------------------------------------


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


class _Inventory(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.scope: list[str] = []
        self.found: set[str] = set()

    def _here(self) -> str:
        return f"{self.module}:{'.'.join(self.scope)}"

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if any(_dotted(base).rsplit(".", 1)[-1] in FILE_FIELDS for base in node.bases):
            self.found.add(f"{self.module}:{node.name}")
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node: ast.Assign) -> None:
        call = node.value
        if isinstance(call, ast.Call) and _dotted(call.func).rsplit(".", 1)[-1] in FILE_FIELDS:
            for target in node.targets:
                self.found.add(f"{self._here()}.{_dotted(target)}".replace(":.", ":"))
            return
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if _dotted(node.func).rsplit(".", 1)[-1] in FILE_FIELDS:
            self.found.add(f"{self._here()} ({_dotted(node.func)})")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "FILES":
            self.found.add(f"{self._here()} (request.FILES)")
        self.generic_visit(node)


def uploads_in_the_code() -> set[str]:
    found = set()
    for app in PROJECT_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            inventory = _Inventory(module)
            inventory.visit(ast.parse(path.read_text(), filename=str(path)))
            found |= inventory.found
    return found


# --- What proves each one -------------------------------------------------------------------------


@dataclass(frozen=True)
class Made:
    """A file the portal makes itself: no form may upload it."""

    model: str
    why: str


DOSSIER_STEP = "a document on a dossier's step"
SIGNED_MANDATE = "the signed SEPA mandate"
DOSSIER_START = "opening a dossier (takes no file)"
DOSSIER_REVIEW = "submitting from the review (takes no file)"
QUOTIENT = "the CAF attestation of a quotient familial"
ABSENCE = "the certificate of an absence"

UPLOADS: dict[str, str | Made] = {
    # The form builder's document question: its field, the step view that hands it the files, the model.
    "forms.builder:DocumentField": DOSSIER_STEP,
    "forms.views:step (request.FILES)": DOSSIER_STEP,
    "forms.models:Document.file": DOSSIER_STEP,
    # Views that read request.FILES only to refuse a file.
    "forms.views:start (request.FILES)": DOSSIER_START,
    "forms.views:review (request.FILES)": DOSSIER_REVIEW,
    # The signed SEPA mandate: its form, its view, its model.
    "billing.forms:SignedMandateForm.document": SIGNED_MANDATE,
    "billing.views:mandate_upload (request.FILES)": SIGNED_MANDATE,
    "billing.models:Mandate.signed_document": SIGNED_MANDATE,
    # The quotient familial's CAF attestation and an absence's certificate.
    "billing.reservation_forms:QuotientForm.document": QUOTIENT,
    "billing.reservation_views:quotient (request.FILES)": QUOTIENT,
    "billing.models:QuotientDeclaration.document": QUOTIENT,
    "billing.reservation_forms:AbsenceForm.document": ABSENCE,
    "billing.reservation_views:absence_declare (request.FILES)": ABSENCE,
    "billing.models:Absence.document": ABSENCE,
    # Made by the portal.
    "workflows.models.attestations:Attestation.file": Made("workflows.Attestation", "the attestation PDF, made by a task"),
    "workflows.models.dossiers:DossierExport.file": Made("workflows.DossierExport", "a CSV/XLSX export, built by a task"),
}


def test_every_upload_in_the_code_has_a_probe():
    found = uploads_in_the_code()
    missing = sorted(found - UPLOADS.keys())
    assert not missing, (
        "New upload(s) in the code: " + ", ".join(missing) + ". Send the file through files.checks.check_upload, "
        "then add a line to UPLOADS in tests/files/test_upload_endpoints.py naming the HTTP probe that proves it "
        "(or a new probe test beside the others), e.g. \"" + missing[0] + "\": DOSSIER_STEP."
    )
    stale = sorted(UPLOADS.keys() - found)
    assert not stale, f"UPLOADS names uploads that are no longer in the code: {', '.join(stale)} — remove them."


def test_files_the_portal_makes_cannot_be_uploaded_through_an_admin_form():
    editable = {model._meta.label for model in get_snippet_models()} | {
        model._meta.label for model in admin.site._registry
    }
    for entry in UPLOADS.values():
        if isinstance(entry, Made):
            assert apps.get_model(entry.model)  # still exists
            assert entry.model not in editable, f"{entry.model} ({entry.why}) is editable in the admin"


# --- The probes, over HTTP ----------------------------------------------------------------------------

HIDDEN_SCRIPT = ACTIVE["document additional action in an object stream"]
assert b"JavaScript" not in HIDDEN_SCRIPT  # the byte scan cannot see it

HOSTILE = [
    ("acte.pdf", HIDDEN_SCRIPT, "Ce PDF contient du code ou des fichiers joints"),
    ("scan.png", images.bomb(), "Cette image est trop grande : 13300 × 13300 pixels"),
]


@pytest.fixture
def pipeline():
    """``check_upload`` itself, watched: the real function runs, and the
    files it was given are noted."""
    with mock.patch.object(checks, "check_upload", wraps=checks.check_upload) as spy:
        yield spy


def _page(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def dossier_with_a_document_question(client, home, school, child, parent):
    page = make_page(home, [_step("Pièces", "", [_file("Acte de naissance", "acte", "")])], slug="pieces-probe")
    page.schools.add(school)
    client.force_login(parent)
    return start(client, page, child)


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE)
def test_probe_a_document_on_a_dossier_step(client, dossier_with_a_document_question, pipeline, name, content,
                                            message):
    response = client.post(step_url(dossier_with_a_document_question, 0),
                           {"acte": SimpleUploadedFile(name, content), "_action": "save"})
    assert message in _page(response)
    assert [call.args[0].name for call in pipeline.call_args_list] == [name]
    assert not Document.objects.exists()


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE)
def test_probe_the_signed_sepa_mandate(client, awaiting, pipeline, name, content, message):
    choose(client, awaiting, PaymentMode.SEPA)
    post_mandate(client, awaiting)
    response = client.post(pay_url(awaiting, "mandat/signe/"), {"document": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in _page(response)
    assert [call.args[0].name for call in pipeline.call_args_list] == [name]
    assert Mandate.objects.get().signed_document.name == ""


def test_probe_opening_a_dossier_refuses_any_file(client, dossier_with_a_document_question, pipeline, child):
    page = dossier_with_a_document_question.page
    response = client.post("/dossiers/commencer/", {"page": page.pk, "child": child.pk,
                                                    "acte": SimpleUploadedFile("acte.pdf", HIDDEN_SCRIPT)})
    assert response.status_code == 400
    assert "contient un champ inconnu" in _page(response)
    assert not pipeline.called and not Document.objects.exists()


def test_probe_the_review_refuses_any_file(client, dossier_with_a_document_question, pipeline):
    response = client.post(review_url(dossier_with_a_document_question),
                           {"acte": SimpleUploadedFile("acte.pdf", HIDDEN_SCRIPT)})
    assert response.status_code == 400
    assert "contient un champ inconnu" in _page(response)
    assert not pipeline.called and not Document.objects.exists()


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE)
def test_probe_the_caf_attestation(client, year_of_services, pipeline, name, content, message):  # noqa: F811
    from billing.models import QuotientDeclaration

    response = client.post("/paiements/quotient/", {"value": "650", "document": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in _page(response)
    assert [call.args[0].name for call in pipeline.call_args_list] == [name]
    assert not QuotientDeclaration.objects.exists()


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE)
def test_probe_the_certificate_of_an_absence(client, year_of_services, frozen, pipeline, name, content,  # noqa: F811
                                             message):
    import datetime as dt

    from billing.models import Absence, ProcedureService
    from tests.billing.test_reservations import at, dossier_of

    canteen = ProcedureService.objects.get(name="Cantine")
    canteen.absence_reasons = "Maladie avec certificat médical"
    canteen.save()
    lea = dossier_of("Léa")
    frozen(at(2027, 1, 12, 18))  # January locked: a reserved day missed can be declared
    url = f"/paiements/reservations/{lea.submission.public_id}/{canteen.pk}/absence/?mois=2027-01"
    response = client.post(url, {"day": dt.date(2027, 1, 11).isoformat(), "reason": "Maladie avec certificat médical",
                                 "document": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in _page(response)
    assert [call.args[0].name for call in pipeline.call_args_list] == [name]
    assert not Absence.objects.exists()


def test_every_probe_named_in_uploads_exists():
    probes = {DOSSIER_STEP: test_probe_a_document_on_a_dossier_step, SIGNED_MANDATE: test_probe_the_signed_sepa_mandate,
              QUOTIENT: test_probe_the_caf_attestation, ABSENCE: test_probe_the_certificate_of_an_absence,
              DOSSIER_START: test_probe_opening_a_dossier_refuses_any_file,
              DOSSIER_REVIEW: test_probe_the_review_refuses_any_file}
    named = {entry for entry in UPLOADS.values() if isinstance(entry, str)}
    assert named <= probes.keys(), named - probes.keys()
