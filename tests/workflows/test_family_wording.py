"""What the family reads right after filing and once confirmed: the
dossier's own state on the form's page (not « Déposé » forever), its number
at once, good wishes that fit the date."""

import html

import pytest
from django.core import mail

from workflows.models import Dossier

from .conftest import submit_through_the_form

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def confirmed_at_once(procedure, **fields):
    return procedure(validation_required=False, payment_required=False, **fields)


def test_the_forms_page_shows_the_dossiers_state_and_the_number_comes_at_once(client, procedure, child, parent):
    page = confirmed_at_once(procedure)
    client.force_login(parent)
    submission = submit_through_the_form(client, page, child)
    dossier = Dossier.objects.get(submission=submission)

    # Right after filing: the page the family lands on gives the dossier's number.
    response = client.post(f"/dossiers/{submission.public_id}/recapitulatif/", follow=True)
    landed = text(client.get(f"/dossiers/{submission.public_id}/"))
    assert f"Dossier n° {dossier.reference}" in landed
    assert f'href="/dossiers/{submission.public_id}/suivi/"' in landed
    assert response.status_code == 200

    # The procedure's page says « Confirmé », the dossier's state, not the form's « Déposé ».
    listing = text(client.get(page.url))
    row = listing[listing.index("Léa"):]
    row = row[:row.index("</li>")]
    assert "Confirmé" in row and ">Déposé<" not in row
    assert f"Suivre le dossier n° {dossier.reference}" in row


@pytest.mark.parametrize("years_from_now, wished, not_wished", [
    (-1, "belle année scolaire", "belle rentrée"),  # filed for a year whose rentrée is past (a December)
    (1, "belle rentrée", "belle année scolaire"),  # filed in June for the coming rentrée
])
def test_the_confirmation_wishes_fit_the_date(client, procedure, child, parent, director, years_from_now, wished,
                                              not_wished, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    page = procedure()  # reviewed by the director, no payment
    client.force_login(parent)
    submission = submit_through_the_form(client, page, child)
    dossier = Dossier.objects.get(submission=submission)
    filed = timezone.make_aware(dt.datetime(timezone.localdate().year + years_from_now, 6, 2, 10, 0))
    Dossier.objects.filter(pk=dossier.pk).update(submitted_at=filed)
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cms/dossiers/{dossier.pk}/decision/validate/", {"validate-comment": ""})
    assert response.status_code == 302
    confirmations = [m for m in mail.outbox if "confirmée" in m.subject and parent.email in m.to]
    assert confirmations, [m.subject for m in mail.outbox]
    assert wished in confirmations[-1].body and not_wished not in confirmations[-1].body
