"""Exports match the screen's filter, open with openpyxl, are built by a
Huey task with a progress page, and are the requester's own; statistics."""

import csv
import io

import pytest
from django.db import transaction
from openpyxl import load_workbook

from tests.factories import GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from workflows import services
from workflows.constants import DossierAction
from workflows.models import DossierEvent, DossierExport

pytestmark = pytest.mark.django_db

DEFINITION = {"steps": [{"title": "Santé", "items": [
    {"type": "yesno", "name": "allergies", "label": "Allergies ?", "required": True},
    {"type": "date", "name": "vaccin", "label": "Dernier vaccin", "required": False},
    {"type": "text", "name": "remarque", "label": "Remarque", "required": False},
]}]}


@pytest.fixture
def world(client):
    school, other_school = SchoolFactory(name="École du Bourg"), SchoolFactory(name="École voisine")
    director = UserFactory(director=True)
    school.directors.add(director)
    parent = GuardianFactory(family__name="Célestine")
    made = []
    for first_name, level, target, answers in [
        ("Léa", "PS", school, {"allergies": True, "vaccin": "2025-03-14", "remarque": "=HYPERLINK(\"x\")"}),
        ("Noé", "CP", school, {"allergies": False}),
        ("Tom", "CP", other_school, {"allergies": False}),
    ]:
        with transaction.atomic():
            submission = SubmissionFactory(
                submitted=True, child__family=parent.family, child__first_name=first_name, child__level=level,
                school=target, submitted_by=parent, definition=DEFINITION, answers=answers,
            )
            made.append(services.dossier_open(submission=submission))
    client.force_login(director)
    return director, made


@pytest.fixture
def export(client, django_capture_on_commit_callbacks):
    def run(fmt, query=""):
        # The task is queued on commit (and runs inline: Huey is immediate in tests).
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/cms/dossiers/exports/", {"format": fmt, "query": query})
        return _follow(client, response)

    return run


def _follow(client, response):
    assert response.status_code == 302
    status = client.get(response["Location"])
    assert status.status_code == 200
    assert "Votre export est prêt" in status.content.decode()
    job = DossierExport.objects.latest("pk")
    download = client.get(f"/cms/dossiers/exports/{job.pk}/fichier/")
    assert download.status_code == 200
    return job, b"".join(download.streaming_content)


def test_xlsx_export_matches_the_filter_and_opens_with_openpyxl(client, world, export):
    director, _ = world
    job, content = export("xlsx", "level=CP")
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert headers[:3] == ("Référence", "Prénom de l'enfant", "Nom de l'enfant")
    assert headers[-3:] == ("Allergies ?", "Dernier vaccin", "Remarque")
    assert [row[1] for row in rows[1:]] == ["Noé"]  # CP, own school only (not Tom)
    assert rows[1][-3] == "Non"
    assert job.requested_by == director and job.filters == {"level": "CP"}


def test_csv_export_is_french_and_formula_safe(client, world, export):
    _, content = export("csv")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"Léa", "Noé"}
    lea = by_name["Léa"]
    assert lea[-3:] == ["Oui", "14/03/2025", "'=HYPERLINK(\"x\")"]
    assert lea[8] == "Déposé, en attente de validation"


def test_an_export_belongs_to_its_requester(client, world, export):
    job, _ = export("csv")
    other = UserFactory(director=True)
    client.force_login(other)
    assert client.get(f"/cms/dossiers/exports/{job.pk}/").status_code == 404
    assert client.get(f"/cms/dossiers/exports/{job.pk}/fichier/").status_code == 404


def test_an_export_is_in_each_included_childs_audit_once(client, world, export):
    director, (lea, noe, tom) = world
    job, _ = export("csv", "level=CP")  # Noé only
    exported = DossierEvent.objects.filter(action=DossierAction.EXPORTED)
    assert list(exported.values_list("dossier", "actor")) == [(noe.pk, director.pk)]
    # The task run again (a retry after the file was made) writes nothing more.
    services.dossier_export_build(export_id=job.pk)
    assert exported.count() == 1
    # « Qui a consulté » for Noé names the director among the readers and the export in the log.
    report = client.get(f"/cms/dossiers/{noe.pk}/consultations/").content.decode()
    assert "Dossier inclus dans un export" in report and director.email in report
    assert "Dossier inclus dans un export" not in client.get(f"/cms/dossiers/{lea.pk}/consultations/").content.decode()
    # The family's own history does not list staff reads or exports.
    client.force_login(noe.family.guardians.first())
    page = client.get(f"/dossiers/{noe.submission.public_id}/suivi/")
    assert page.status_code == 200 and "Déposé" in page.content.decode()
    assert "Dossier inclus dans un export" not in page.content.decode()


def test_export_progress_page_while_pending(client, world):
    director, _ = world
    job = DossierExport.objects.create(requested_by=director, format="csv", total=400, done=100, status="running")
    html = client.get(f"/cms/dossiers/exports/{job.pk}/").content.decode()
    assert "100 / 400" in html and 'http-equiv="refresh"' in html and 'value="25"' in html
    assert client.get(f"/cms/dossiers/exports/{job.pk}/fichier/").status_code == 404


def test_statistics_are_drawn_for_the_directors_schools(client, world):
    director, dossiers = world
    services.dossier_validate(dossier=dossiers[0], by=director)
    html = client.get("/cms/dossiers/statistiques/").content.decode()
    assert "2 dossiers." in html
    assert "Délai moyen entre le dépôt et la décision" in html
    assert "École du Bourg" in html and "École voisine" not in html
    assert "<rect" in html  # charts, not only tables
    assert "Petite section" in html and "CP" in html


def test_editors_see_statistics_of_every_school_but_no_dossier(client, world):
    editor = UserFactory(editor=True)
    client.force_login(editor)
    html = client.get("/cms/dossiers/statistiques/").content.decode()
    assert "3 dossiers." in html and "École voisine" in html
    assert "Léa" not in html and "Célestine" not in html  # counts, not names
    assert client.get("/cms/dossiers/").status_code == 404


ECHO = {"steps": [{"title": "L'enfant", "items": [
    {"type": "text", "name": "prenom", "label": "Prénom de l'enfant", "required": True},
    {"type": "text", "name": "nom", "label": "Nom de l'enfant", "required": True},
    {"type": "date", "name": "naissance", "label": "Date de naissance", "required": True},
    {"type": "text", "name": "ville", "label": "Ville", "required": False},
]}, {"title": "Responsable", "items": [
    {"type": "text", "name": "ville_responsable", "label": "Ville", "required": False},
]}]}


def test_xlsx_headings_are_unique_and_dates_are_date_cells(client, export):
    import datetime as dt

    school = SchoolFactory(name="École du Bourg")
    director = UserFactory(director=True)
    school.directors.add(director)
    parent = GuardianFactory(family__name="Célestine")
    with transaction.atomic():
        submission = SubmissionFactory(
            submitted=True, child__family=parent.family, child__first_name="Léa", child__last_name="Célestine",
            child__birth_date=dt.date(2022, 2, 20), school=school, submitted_by=parent, definition=ECHO,
            answers={"prenom": "Léa", "nom": "Célestine", "naissance": "2022-02-20", "ville": "Le Robert",
                     "ville_responsable": "Le François"},
        )
        services.dossier_open(submission=submission)
    client.force_login(director)
    _, content = export("xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    headers = [cell.value for cell in sheet[1]]
    assert len(headers) == len(set(headers)), headers
    # The dossier's own columns keep their heading; the form's questions say they are its answers.
    assert headers.count("Date de naissance") == 1
    assert "Date de naissance (réponse au formulaire)" in headers
    assert "Prénom de l'enfant (réponse au formulaire)" in headers
    assert "Nom de l'enfant (réponse au formulaire)" in headers
    assert "Ville [ville]" in headers and "Ville [ville_responsable]" in headers
    row = {heading: cell for heading, cell in zip(headers, sheet[2])}
    for heading in ("Date de naissance", "Date de naissance (réponse au formulaire)"):
        cell = row[heading]
        assert cell.is_date and cell.value.date() == dt.date(2022, 2, 20)
        assert cell.number_format == "DD/MM/YYYY"
    submitted = row["Déposé le"]
    assert submitted.is_date and submitted.number_format == "DD/MM/YYYY HH:MM"
    assert row["Référence"].data_type == "s"  # « 2026-00012 » stays text
    assert row["Ville [ville]"].value == "Le Robert"
    # The CSV of the same dossiers writes the dates the French way.
    _, content = export("csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    line = dict(zip(rows[0], rows[1]))
    assert line["Date de naissance"] == line["Date de naissance (réponse au formulaire)"] == "20/02/2022"


def _back_link(html: str) -> tuple[str, str]:
    import re

    href, label = re.search(r'<a href="([^"]+)">← ([^<]+)</a>', html).groups()
    return href, label


def test_the_statistics_back_link_leads_somewhere_for_directors_and_editors(client, world):
    director, _ = world
    href, label = _back_link(client.get("/cms/dossiers/statistiques/").content.decode())
    assert label == "Tous les dossiers" and client.get(href).status_code == 200
    client.force_login(UserFactory(editor=True))
    href, label = _back_link(client.get("/cms/dossiers/statistiques/").content.decode())
    assert label == "Tableau de bord" and href == "/cms/"
    assert client.get(href).status_code == 200
