"""Stable technical names (issue 17): once a procedure is published, a
question keeps its technical name when its label changes — the export keeps
one column for it, re-enrolment keeps matching; renaming it is an explicit
act, refused next to the name field until the editor confirms it."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from django.http import QueryDict

from accounts.models import Child
from tests.factories import built_in_group
from tests.forms.conftest import review_url, start, step_url
from workflows.models import DossierExport, ProcedurePage

from .test_procedures import _condition, _question, as_user, editor_client, editor_post, form_errors, review_data  # noqa: F401

pytestmark = pytest.mark.django_db

SLUG = "inscription-noms"


def _fill(*, label: str, name: str = "", ids=None, rename: bool = False, school=None, slug: str = SLUG,
          title: str = "Inscriptions 2026-2027"):
    """One step asking the child's usual first name and whether the child
    eats at the canteen; the editor leaves the technical names empty unless
    told. ``ids`` are the blocks' ids, as the page editor posts them back."""

    def fill(data: QueryDict) -> None:
        data["title"], data["slug"] = title, slug
        data.setlist("schools", [str(school.pk)])
        data["form-count"] = "1"
        step = "form-0"
        data[f"{step}-type"], data[f"{step}-deleted"], data[f"{step}-order"] = "step", "", "0"
        data[f"{step}-value-title"], data[f"{step}-value-intro"] = "L'enfant", '{"blocks": [], "entityMap": {}}'
        _condition(f"{step}-value-condition", data)
        data[f"{step}-value-fields-count"] = "2"
        for index, (kind, text, technical) in enumerate([("text", label, name), ("yesno", "Cantine", "")]):
            prefix = f"{step}-value-fields-{index}"
            data[f"{prefix}-order"] = str(index)
            _question(data, prefix, kind, text, technical)
            if ids:
                data[f"{prefix}-id"] = ids[index]
        if ids:
            data[f"{step}-id"] = ids["step"]
        data["stages-count"] = "1"
        review_data(data, 0, title="Admission", groups=[built_in_group()])
        if rename:
            data["rename_technical_names"] = "on"

    return fill


def _form_stream_errors(response) -> dict:
    """The errors the page editor shows on the form's stream (its blocks'
    arguments: the value, then the errors by block)."""
    for raw in re.findall(r'data-w-block-arguments-value="([^"]*)"', response.content.decode()):
        arguments = json.loads(unescape(raw))
        value = arguments[0] if arguments else None
        if isinstance(value, list) and value and isinstance(value[0], dict) and value[0].get("type") == "step":
            return arguments[1] or {}
    raise AssertionError(form_errors(response))


def _ids(page) -> dict:
    step = page.form[0]
    return {"step": step.id, **{i: child.id for i, child in enumerate(step.value["fields"])}}


def _names(page) -> list[str]:
    page.refresh_from_db()
    return [child.value["name"] for child in page.form[0].value["fields"]]


def _file(client, page, child, first_name: str):
    submission = start(client, page, child)
    assert client.post(step_url(submission, 0), {"prenom_usuel": first_name, "cantine": "oui"}).status_code == 302
    assert client.post(review_url(submission)).status_code == 302
    submission.refresh_from_db()
    return submission


def _export_rows(client, django_capture_on_commit_callbacks) -> list[list[str]]:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/cms/dossiers/exports/", {"format": "csv", "query": ""})
    assert response.status_code == 302
    job = DossierExport.objects.latest("pk")
    content = b"".join(client.get(f"/cms/dossiers/exports/{job.pk}/fichier/").streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_a_relabelled_question_keeps_its_name_its_column_and_its_re_enrolment(
    editor_client, home, school, director, family, child, parent, django_capture_on_commit_callbacks
):
    add = f"/cms/pages/add/workflows/procedurepage/{home.pk}/"
    response = editor_post(editor_client, add, _fill(label="Prénom usuel", school=school))
    assert response.status_code == 302, form_errors(response)
    page = ProcedurePage.objects.get(slug=SLUG)
    # The names made from the labels are written into the blocks on save.
    assert _names(page) == ["prenom_usuel", "cantine"]
    family_client = as_user(parent)
    first = _file(family_client, page, child, "Léa")

    # The editor relabels the question, and empties its name field (as a page published before
    # names were written into the blocks shows it): the published name stays.
    edit = f"/cms/pages/{page.pk}/edit/"
    response = editor_post(editor_client, edit, _fill(label="Prénom que l'enfant utilise", ids=_ids(page),
                                                       school=school))
    assert response.status_code == 302, form_errors(response)
    assert _names(page) == ["prenom_usuel", "cantine"]
    assert page.get_definition()["steps"][0]["items"][0]["label"] == "Prénom que l'enfant utilise"

    sister = Child.objects.create(family=family, first_name="Inès", last_name="Joseph", birth_date=child.birth_date)
    second = _file(family_client, page, sister, "Nini")
    assert first.answers["prenom_usuel"] == "Léa" and second.answers["prenom_usuel"] == "Nini"

    # The export: one column for the question, both answers in it.
    director_client = as_user(director)
    header, *rows = _export_rows(director_client, django_capture_on_commit_callbacks)
    columns = [i for i, heading in enumerate(header) if heading.startswith("Prénom usuel")
               or heading.startswith("Prénom que l'enfant utilise")]
    assert len(columns) == 1, header
    assert sorted(row[columns[0]] for row in rows) == ["Léa", "Nini"]

    # Next year's procedure, prepared from this one and relabelled before its first
    # publication: re-enrolment still takes last year's answer.
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(f"/cms/pages/{page.pk}/annee-suivante/")
    following = ProcedurePage.objects.get(previous_year_page=page)
    draft = following.get_latest_revision_as_object()
    assert [c.value["name"] for c in draft.form[0].value["fields"]] == ["prenom_usuel", "cantine"]
    # The editor's browser shows (and posts back) the name the copy holds.
    response = editor_post(editor_client, f"/cms/pages/{following.pk}/edit/",
                           _fill(label="Prénom (celui de tous les jours)", name="prenom_usuel", ids=_ids(draft),
                                 school=school,
                                 slug=following.slug, title=following.title))
    assert response.status_code == 302, form_errors(response)
    following.refresh_from_db()
    assert following.live and _names(following) == ["prenom_usuel", "cantine"]
    again = start(family_client, following, child)
    assert again.answers.get("prenom_usuel") == "Léa"


def test_renaming_a_published_name_is_refused_next_to_it_until_the_editor_confirms(
    editor_client, home, school, parent, child
):
    add = f"/cms/pages/add/workflows/procedurepage/{home.pk}/"
    assert editor_post(editor_client, add, _fill(label="Prénom usuel", school=school)).status_code == 302
    page = ProcedurePage.objects.get(slug=SLUG)
    _file(as_user(parent), page, child, "Léa")

    edit = f"/cms/pages/{page.pk}/edit/"
    response = editor_post(editor_client, edit, _fill(label="Prénom usuel", name="prenom_enfant", ids=_ids(page),
                                                      school=school))
    assert response.status_code == 200
    # The error is carried by the question's name field, inside the step's questions.
    errors = _form_stream_errors(response)
    (message,) = errors["blockErrors"]["0"]["blockErrors"]["fields"]["blockErrors"]["0"]["blockErrors"]["name"][
        "messages"]
    assert ("« Prénom usuel » répond sous le nom « prenom_usuel » depuis la publication : 1 dossier, l'export "
            "et la réinscription l'utilisent. Pour le renommer « prenom_enfant », cochez « Renommer les noms "
            "techniques » sous le formulaire") in unescape(message), message
    assert _names(page) == ["prenom_usuel", "cantine"]

    response = editor_post(editor_client, edit, _fill(label="Prénom usuel", name="prenom_enfant", ids=_ids(page),
                                                      school=school, rename=True))
    assert response.status_code == 302, form_errors(response)
    assert _names(page) == ["prenom_enfant", "cantine"]
