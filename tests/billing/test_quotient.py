"""The family declares its quotient familial with the CAF attestation
(checked like every upload); a finance agent sees the attestation and
validates or refuses it in the admin. Until then the default bracket
applies; a validated quotient prices the bills not yet issued — from the
month whose cut-off is still ahead — and lowers them."""

import datetime as dt
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from billing import consumption, selectors
from billing.constants import QuotientStatus
from billing.models import QuotientDeclaration
from tests.billing.conftest import finance  # noqa: F401 — fixture
from tests.billing.test_month_amounts import editor_client, year_of_services  # noqa: F401 — fixtures
from tests.billing.test_reservations import a_pdf, frozen  # noqa: F401 — fixture
from tests.factories import FamilyFactory, UserFactory
from tests.forms.conftest import confirmed
from tests.workflows.conftest import child, director, family, home, parent, procedure, school  # noqa: F401

MQ = ZoneInfo("America/Martinique")
JANUARY, FEBRUARY, MARCH = dt.date(2027, 1, 1), dt.date(2027, 2, 1), dt.date(2027, 3, 1)


def declare(client, value: str = "650", *, name: str = "attestation-caf.pdf", content: bytes | None = None):
    upload = SimpleUploadedFile(name, content if content is not None else a_pdf("Attestation de quotient familial"))
    return client.post("/paiements/quotient/", {"value": value, "document": upload})


@pytest.fixture
def finance_client(finance):  # noqa: F811
    client = Client()
    client.force_login(finance)
    return client


def test_a_validated_quotient_lowers_the_next_bill(client, year_of_services, frozen, finance_client):
    family = year_of_services
    frozen(dt.datetime(2026, 12, 10, 9, tzinfo=MQ))
    page = client.get("/paiements/quotient/")
    assert page.status_code == 200 and "le tarif par défaut s'applique" in unescape(page.content.decode())
    response = declare(client, "650,00")
    assert response.status_code == 302, unescape(response.content.decode())[-2000:]
    declaration = QuotientDeclaration.objects.get()
    assert (declaration.family, declaration.value, declaration.status) == (family, Decimal("650.00"),
                                                                           QuotientStatus.PENDING)
    assert declaration.document.name.startswith("quotients/")
    assert consumption.family_quotient(family=family, month=JANUARY) is None  # not checked yet
    second = declare(client, "500")
    assert second.status_code == 400 and "déjà en cours de vérification" in unescape(second.content.decode())

    # The finance agent sees the declaration and its attestation, then validates.
    listing = finance_client.get("/cms/paiements/quotients/")
    assert listing.status_code == 200 and "Joseph" in listing.content.decode()
    detail = finance_client.get(f"/cms/paiements/quotients/{declaration.pk}/")
    assert detail.status_code == 200 and "650" in detail.content.decode()
    document = finance_client.get(f"/cms/paiements/quotients/{declaration.pk}/attestation/")
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert document["X-Content-Type-Options"] == "nosniff" and b"".join(document.streaming_content)[:5] == b"%PDF-"
    # After January's cut-off, February's bill is issued too (it went out the
    # day after): the quotient prices March's, the next bill.
    frozen(dt.datetime(2026, 12, 21, 8, tzinfo=MQ))
    validated = finance_client.post(f"/cms/paiements/quotients/{declaration.pk}/valider/", follow=True)
    assert "il s'applique à partir de mars 2027" in unescape(validated.content.decode())
    declaration.refresh_from_db()
    assert declaration.status == QuotientStatus.VALIDATED and declaration.applies_from == MARCH
    assert consumption.family_quotient(family=family, month=FEBRUARY) is None
    assert consumption.family_quotient(family=family, month=MARCH) == Decimal("650.00")
    assert consumption.family_quotient(family=family, month=dt.date(2027, 6, 1)) == Decimal("650.00")
    february = selectors.family_month_statement(
        family=family, month=FEBRUARY, quotient=consumption.family_quotient(family=family, month=FEBRUARY))
    march = selectors.family_month_statement(
        family=family, month=MARCH, quotient=consumption.family_quotient(family=family, month=MARCH))
    default_march = selectors.family_month_statement(family=family, month=MARCH)
    canteen_meals = sum(line.quantity for line in march.lines if line.service == "Cantine")
    assert march.total == default_march.total - canteen_meals * (Decimal("3.80") - Decimal("1.00"))
    assert all(line.unit_price == Decimal("3.80") for line in february.lines if line.service == "Cantine")
    # Validating twice is refused; the family sees where its declaration stands.
    again = finance_client.post(f"/cms/paiements/quotients/{declaration.pk}/valider/", follow=True)
    assert "déjà été vérifiée" in unescape(again.content.decode())
    page = unescape(client.get("/paiements/quotient/").content.decode())
    assert "appliqué à partir de mars 2027" in page


def test_a_quotient_validated_before_the_cut_off_applies_to_the_next_bill(client, year_of_services, frozen,
                                                                       finance_client):
    frozen(dt.datetime(2026, 12, 20, 23, 30, tzinfo=MQ))
    assert declare(client, "1300").status_code == 302
    declaration = QuotientDeclaration.objects.get()
    assert finance_client.post(f"/cms/paiements/quotients/{declaration.pk}/valider/").status_code == 302
    declaration.refresh_from_db()
    assert declaration.applies_from == FEBRUARY  # January's bill went out on 21 November
    assert consumption.family_quotient(family=year_of_services, month=JANUARY) is None
    assert consumption.family_quotient(family=year_of_services, month=FEBRUARY) == Decimal("1300.00")


def test_a_refused_quotient_changes_nothing(client, year_of_services, frozen, finance_client):
    frozen(dt.datetime(2026, 12, 10, 9, tzinfo=MQ))
    assert declare(client, "300").status_code == 302
    declaration = QuotientDeclaration.objects.get()
    empty = finance_client.post(f"/cms/paiements/quotients/{declaration.pk}/refuser/", {"refuse-reason": ""})
    assert empty.status_code == 400
    response = finance_client.post(f"/cms/paiements/quotients/{declaration.pk}/refuser/",
                                   {"refuse-reason": "L'attestation date de 2023."})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == QuotientStatus.REFUSED and declaration.applies_from is None
    assert consumption.family_quotient(family=year_of_services, month=FEBRUARY) is None
    page = unescape(client.get("/paiements/quotient/").content.decode())
    assert "L'attestation date de 2023." in page and "Déclarer votre quotient familial" in page


def test_bad_values_and_bad_files_are_refused(client, year_of_services, frozen):
    frozen(dt.datetime(2026, 12, 10, 9, tzinfo=MQ))
    for value in ("beaucoup", "-5", ""):
        response = declare(client, value)
        assert response.status_code == 400, value
    assert "Écrivez le quotient familial en euros" in unescape(declare(client, "beaucoup").content.decode())
    not_a_pdf = declare(client, "650", content=b"juste du texte")
    assert not_a_pdf.status_code == 400
    assert "ne correspond pas à un fichier PDF" in unescape(not_a_pdf.content.decode())
    archive = declare(client, "650", name="attestation.zip", content=b"PK\x03\x04rien")
    assert archive.status_code == 400 and "type de fichier n'est pas accepté" in unescape(archive.content.decode())
    assert not QuotientDeclaration.objects.exists()


def test_another_familys_quotient_document_is_refused(client, year_of_services, frozen, parent):
    frozen(dt.datetime(2026, 12, 10, 9, tzinfo=MQ))
    assert declare(client, "650").status_code == 302
    declaration = QuotientDeclaration.objects.get()
    own = client.get(f"/paiements/quotient/{declaration.pk}/attestation/")
    assert own.status_code == 200 and own["Cache-Control"] == "private, no-store"
    stranger = Client()
    stranger.force_login(confirmed(UserFactory(family=FamilyFactory(name="Autre"))))
    assert stranger.get(f"/paiements/quotient/{declaration.pk}/attestation/").status_code == 404
    assert "voir l'attestation" in unescape(client.get("/paiements/quotient/").content.decode())
    assert "voir l'attestation" not in unescape(stranger.get("/paiements/quotient/").content.decode())
    # Nor may a family, or anyone but finance, validate it.
    assert stranger.post(f"/cms/paiements/quotients/{declaration.pk}/valider/").status_code in (302, 403, 404)
    director_client = Client()
    director_client.force_login(UserFactory(director=True))
    assert director_client.get(f"/cms/paiements/quotients/{declaration.pk}/attestation/").status_code == 404
    assert director_client.post(f"/cms/paiements/quotients/{declaration.pk}/valider/").status_code == 404
    declaration.refresh_from_db()
    assert declaration.status == QuotientStatus.PENDING
    # The service refuses a declaration for another family than the declarer's.
    from billing import reservations

    with pytest.raises(reservations.ReservationError) as refused:
        reservations.quotient_declare(family=declaration.family, value=Decimal("100"), upload=None,
                                      by=UserFactory(family=FamilyFactory(name="Tiers")))
    assert "que de votre propre famille" in refused.value.message


def test_deleting_the_account_erases_the_caf_attestation(client, year_of_services, frozen, parent, django_capture_on_commit_callbacks):  # noqa: F811
    frozen(dt.datetime(2026, 12, 10, 9, tzinfo=MQ))
    assert declare(client, "650").status_code == 302
    declaration = QuotientDeclaration.objects.get()
    name, storage = declaration.document.name, declaration.document.storage
    assert storage.exists(name)
    parent.set_password("Un-mot-de-passe-solide-42")
    parent.save()
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compte/donnees/", {"password": "Un-mot-de-passe-solide-42", "confirm": "on"})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert not declaration.document and not storage.exists(name)
