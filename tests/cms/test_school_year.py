"""A new school year in one action: the editor prepares year N+1 from year
N as drafts; year N's pages and dossiers stay as they were."""

import pytest
from django.db import transaction
from wagtail.models import Page

from cms.models import HelpIndexPage
from workflows.models import ProcedurePage
from cms.school_year import next_school_year_text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "before, after",
    [
        ("Inscriptions 2020 - 2021", "Inscriptions 2021 - 2022"),
        ("Inscriptions scolaires 2026-2027", "Inscriptions scolaires 2027-2028"),
        ("inscriptions-2026-2027", "inscriptions-2027-2028"),
        ("Rentrée 2026/2027 et 2027–2028", "Rentrée 2027/2028 et 2028–2029"),
        ("Tarifs 2026", "Tarifs 2026"),  # a lone year is not a school year
        ("Années 2019-2024", "Années 2019-2024"),  # nor a range of years
    ],
)
def test_school_years_in_text_move_forward(before, after):
    assert next_school_year_text(before) == after


@pytest.fixture
def editor(client, demo):
    user = UserFactory(editor=True)
    client.force_login(user)
    return user


def test_rolling_the_seed_help_pages_makes_next_years_drafts(client, editor):
    index = HelpIndexPage.objects.get(slug="inscriptions-2020-2021")
    url = f"/cms/pages/{index.pk}/annee-suivante/"
    assert f"/cms/pages/{index.pk}/annee-suivante/" in client.get(f"/cms/pages/{index.pk}/").content.decode()
    assert "Inscriptions 2021 - 2022" in client.get(url).content.decode()

    response = client.post(url)
    new = HelpIndexPage.objects.get(slug="inscriptions-2021-2022")
    assert response["Location"] == f"/cms/pages/{new.pk}/edit/"
    assert new.title == "Inscriptions 2021 - 2022" and not new.live
    assert [p.title for p in new.get_children().specific()] == [p.title for p in index.get_children().specific()]
    assert not new.get_children().live().exists()
    # Last year's pages are untouched and still public.
    index.refresh_from_db()
    assert index.live and index.title == "Inscriptions 2020 - 2021"
    assert client.get("/inscriptions-2020-2021/comment-payer/").status_code == 200

    # Twice is refused with a clear message, nothing duplicated.
    response = client.post(url, follow=True)
    assert "L&#x27;année suivante existe déjà" in response.content.decode() or \
        "L'année suivante existe déjà" in response.content.decode()
    assert HelpIndexPage.objects.filter(slug="inscriptions-2021-2022").count() == 1


def test_rolling_the_enrolment_form_keeps_last_years_dossiers_and_gives_a_working_form(client, editor):
    from tests.factories import GuardianFactory, SubmissionFactory
    from workflows import services

    form = ProcedurePage.objects.get(slug="inscription-2026-2027")
    parent = GuardianFactory()
    with transaction.atomic():
        submission = SubmissionFactory(submitted=True, page=form, child__family=parent.family, submitted_by=parent)
        dossier = services.dossier_open(submission=submission)
    before = (dossier.state, submission.definition, submission.answers)

    from billing.models import Tariff

    Tariff.objects.filter(school_year="2027-2028").delete()
    this_year = sorted(Tariff.objects.filter(school_year="2026-2027").values_list("school_id", "service", "monthly_amount"))
    assert this_year

    from billing.models import ProcedureService, QuotientBracket

    canteen = ProcedureService.objects.create(procedure=form, school_year="2026-2027", kind="canteen",
                                              name="Cantine", unit="meal", question="")
    for qf_from, price, default in ((0, "1.00", False), (700, "2.50", False), (1200, "3.80", True)):
        QuotientBracket.objects.create(service=canteen, qf_from=qf_from, price=price, is_default=default)

    client.post(f"/cms/pages/{form.pk}/annee-suivante/")
    new = ProcedurePage.objects.get(slug="inscription-2027-2028")
    # The procedure's services too, with their quotient brackets.
    copied = ProcedureService.objects.get(procedure=new)
    assert (copied.school_year, copied.name, copied.unit) == ("2027-2028", "Cantine", "meal")
    assert [(b.qf_from, str(b.price), b.is_default) for b in copied.brackets.order_by("qf_from")] == [
        (0, "1.00", False), (700, "2.50", False), (1200, "3.80", True)]
    assert ProcedureService.objects.filter(procedure=form, school_year="2026-2027").count() == 1
    # The tariffs were carried over to the new year, to be reviewed like the pages.
    assert sorted(Tariff.objects.filter(school_year="2027-2028").values_list("school_id", "service", "monthly_amount")) \
        == this_year
    assert "2027-2028" in new.title and new.previous_year_page_id == form.pk
    if form.opens_at:
        assert new.opens_at.year == form.opens_at.year + 1
    old_bounds = [b for b in str(form.form.raw_data).split("'") if b[:2] == "20" and len(b) == 10]
    new_bounds = [b for b in str(new.form.raw_data).split("'") if b[:2] == "20" and len(b) == 10]
    assert old_bounds and [int(b[:4]) + 1 for b in old_bounds] == [int(b[:4]) for b in new_bounds]

    # The editor publishes it and it works.
    revision = new.get_latest_revision()
    revision.publish()
    new.refresh_from_db()
    assert new.live
    assert client.get(new.url).status_code == 200
    assert new.get_definition()["steps"]

    dossier.refresh_from_db()
    submission.refresh_from_db()
    assert (dossier.state, submission.definition, submission.answers) == before
    assert Page.objects.get(pk=form.pk).live


def test_school_years_in_rich_text_and_help_blocks_move_too_and_the_editor_is_told_where(client, db):
    """« pour l'année 2026-2027 » in the body text stayed behind when only
    titles and dates moved (issue 18)."""
    from html import unescape

    from cms.models import HelpPage
    from tests.factories import site_home

    home = site_home(slug="accueil-annee", title="Accueil")
    index = home.add_child(instance=HelpIndexPage(
        title="Aide 2026-2027", slug="aide-2026-2027", subtitle="Écoles de Sainte-Luce",
        intro="<p>Les inscriptions pour l'année 2026-2027 ouvrent en mars.</p>",
    ))
    index.add_child(instance=HelpPage(title="Comment payer", slug="comment-payer", summary="Les tarifs", body=[
        ("paragraph", "<p>Les tarifs <b>2026-2027</b> sont votés en juin.</p>"),
        ("callout", {"kind": "attention", "title": "Rentrée 2026 - 2027", "body": "<p>Avant le 30 juin.</p>"}),
        ("steps", {"start": 1, "steps": [{"title": "Payer", "body": "<p>Le forfait 2026/2027.</p>"}]}),
    ]))
    client.force_login(UserFactory(editor=True))
    response = client.post(f"/cms/pages/{index.pk}/annee-suivante/", follow=True)
    page = unescape(response.content.decode())
    assert "Années scolaires avancées d'un an dans : « Aide 2027-2028 » (introduction) ; « Comment payer » (contenu)" \
        in page
    new_index = HelpIndexPage.objects.get(slug="aide-2027-2028")
    assert "l'année 2027-2028 ouvrent" in new_index.intro
    assert new_index.get_latest_revision_as_object().intro == new_index.intro
    body = str(new_index.get_children().get().specific.get_latest_revision_as_object().body.raw_data)
    assert "<b>2027-2028</b>" in body and "Rentrée 2027 - 2028" in body and "forfait 2027/2028" in body
    assert "2026" not in body
    # Last year's pages keep their texts.
    index.refresh_from_db()
    assert "2026-2027 ouvrent" in index.intro
    assert "<b>2026-2027</b>" in str(index.get_children().get().specific.body.raw_data)
