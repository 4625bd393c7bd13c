"""Bad input is refused with a clear French message next to its field, and
nothing is created or counted; one family never reaches another's payment."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.constants import PaymentMode, Service
from billing.models import CardPayment, Mandate, PaymentArrangement, PaymentSettings, Tariff
from workflows.models import AttestationSettings
from billing.sepa import creditor_identifier, creditor_identifier_is_valid
from tests.factories import FamilyFactory, SchoolFactory, UserFactory

from .conftest import GOOD_BIC, GOOD_IBAN, choose, pay_url

pytestmark = pytest.mark.django_db


def post_mandate(client, dossier, **data):
    fields = {"holder_name": "Marie Joseph", "iban": GOOD_IBAN, "bic": GOOD_BIC, **data}
    return client.post(pay_url(dossier, "mandat/"), fields)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("iban", "FR76 3000 6000 0112 3456 7890 188", "Cet IBAN n'est pas valide"),
        ("iban", "FR76 3000", "Cet IBAN n'est pas valide"),
        ("iban", "", "Saisissez l'IBAN du compte à débiter."),
        ("iban", "BR15 0000 0000 0000 1093 2840 814P 2", "hors de la zone SEPA (BR)"),
        ("bic", "AGRI12", "Ce BIC n'est pas valide"),
        ("bic", "", "Saisissez le BIC de votre banque"),
        ("holder_name", "   ", "Indiquez le nom du titulaire du compte"),
    ],
)
def test_bad_account_details_are_refused_next_to_the_field(client, awaiting, field, value, message):
    choose(client, awaiting, PaymentMode.SEPA)
    response = post_mandate(client, awaiting, **{field: value})
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert message in html
    assert f'id="id_{field}_error"' in html  # the error sits with its field
    assert f'value="{value}"' in html or not value.strip()  # what was typed is kept
    assert not Mandate.objects.exists()


def test_a_good_iban_with_spaces_and_lower_case_is_accepted(client, awaiting):
    choose(client, awaiting, PaymentMode.SEPA)
    response = post_mandate(client, awaiting, iban="fr76 3000 6000 0112 3456 7890 189", bic="agrifrpp")
    assert response.status_code == 302
    mandate = Mandate.objects.get()
    assert mandate.iban == "FR7630006000011234567890189" and mandate.bic == "AGRIFRPP"
    assert mandate.reference == f"INSCRIRE-{awaiting.reference}-01"


def test_a_signed_mandate_that_is_not_a_pdf_or_image_is_refused(client, awaiting):
    choose(client, awaiting, PaymentMode.SEPA)
    post_mandate(client, awaiting)
    upload = SimpleUploadedFile("mandat.pdf", b"pas un PDF du tout", content_type="application/pdf")
    response = client.post(pay_url(awaiting, "mandat/signe/"), {"document": upload})
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "Le contenu de ce fichier ne correspond pas à un fichier PDF" in html
    assert 'id="id_document_error"' in html
    assert Mandate.objects.get().signed_document.name == ""


def test_a_signed_mandate_goes_through_the_upload_pipeline(client, awaiting):
    """The same checks as every upload (``files.checks``): a PDF with a
    script is refused, a photo is re-encoded without its metadata."""
    from io import BytesIO

    from PIL import Image

    from tests.forms.conftest import PDF

    choose(client, awaiting, PaymentMode.SEPA)
    post_mandate(client, awaiting)
    scripted = PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    response = client.post(pay_url(awaiting, "mandat/signe/"),
                           {"document": SimpleUploadedFile("mandat.pdf", scripted, content_type="application/pdf")})
    assert response.status_code == 400
    assert "Ce PDF contient du code" in unescape(response.content.decode())

    photo = BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Telephone de Marie"  # Make
    Image.new("RGB", (40, 30), "white").save(photo, "JPEG", exif=exif)
    with Image.open(BytesIO(photo.getvalue())) as original:
        assert original.getexif()[0x010F] == "Telephone de Marie"
    response = client.post(pay_url(awaiting, "mandat/signe/"),
                           {"document": SimpleUploadedFile("mandat.jpg", photo.getvalue(), content_type="image/jpeg")})
    assert response.status_code == 302
    stored = Mandate.objects.get().signed_document
    assert stored.name.endswith(".jpg")
    with stored.open("rb") as handle, Image.open(handle) as image:
        assert image.size == (40, 30) and not image.getexif()


def test_choice_of_another_schools_tariff_or_a_past_month_is_refused(client, awaiting):
    other = Tariff.objects.create(school=SchoolFactory(), service=Service.CANTEEN, school_year="2026-2027",
                                  monthly_amount="1.00")
    response = client.post(pay_url(awaiting), {"tariff": other.pk, "first_month": "2000-01-01", "mode": "cash"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choisissez un des services proposés." in html and "Choisissez un des mois proposés." in html
    response = client.post(pay_url(awaiting), {})
    assert "Choisissez le service." in response.content.decode()
    assert not PaymentArrangement.objects.exists()


def test_the_amount_paid_is_always_the_tariffs(client, awaiting):
    tariff = Tariff.objects.get(school=awaiting.school, service=Service.CANTEEN)
    first = choose(client, awaiting, PaymentMode.CARD)[1]
    # Whatever the browser adds, the card payment is for the tariff's amount.
    client.post(pay_url(awaiting, "carte/"), {"total": "0.01", "amount": "0.01"})
    assert CardPayment.objects.get().total == tariff.monthly_amount
    assert PaymentArrangement.objects.get().first_month == first


def test_another_family_sees_none_of_it(client, awaiting, finance):
    choose(client, awaiting, PaymentMode.CARD)
    client.post(pay_url(awaiting, "carte/"))
    card = CardPayment.objects.get()
    stranger = UserFactory(family=FamilyFactory(name="Autre"))
    client.force_login(stranger)
    for url in (pay_url(awaiting), pay_url(awaiting, "mandat.pdf"), pay_url(awaiting, "bordereau.pdf"),
                f"/dossiers/{awaiting.submission.public_id}/attestation.pdf", f"/paiements/carte/{card.token}/",
                f"/paiements/carte/{card.token}/retour/"):
        assert client.get(url).status_code == 404, url
    assert client.post(pay_url(awaiting), {"mode": "cash"}).status_code == 404
    assert client.post(pay_url(awaiting, "carte/")).status_code == 404
    # Nor a director, in the finance workspace.
    client.force_login(UserFactory(director=True))
    assert client.get("/cms/paiements/").status_code in (302, 403, 404)
    assert client.get(f"/cms/paiements/especes/{awaiting.pk}/").status_code in (302, 403, 404)


def test_creditor_identifier_and_account_are_checked_in_the_settings(db):
    assert creditor_identifier_is_valid(creditor_identifier(country="FR", business_code="ZZZ", national_id="123456"))
    assert not creditor_identifier_is_valid("FR00ZZZ123456")
    settings = PaymentSettings(creditor_identifier="FR00ZZZ123456", creditor_iban="FR76 0000", creditor_bic="X")
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert {"creditor_identifier", "creditor_iban", "creditor_bic"} <= set(error.value.message_dict)


def test_attestation_text_refuses_unknown_words(db):
    template = AttestationSettings(title="Attestation", body="Bonjour {enfant.__class__} et {prenom}")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "n'est pas un mot connu" in str(error.value)
    AttestationSettings(title="Attestation", body="L'enfant {enfant} à {ecole}.").full_clean()
