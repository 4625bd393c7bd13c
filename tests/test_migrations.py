"""Models and migrations agree: a change to a model without its migration
fails here, not on a server."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


# --- Moves between apps keep the data ----------------------------------------------------------------
# The procedure page left cms for workflows (renamed ProcedurePage), the
# attestation left billing for workflows, the outbox names its family by id.
# A database at the state before those moves, holding a published page with
# its schools and revision, a dossier, its attestation, the editors' text and
# a sent confirmation, is migrated forward: every row is still there and
# reads back through today's models.

BEFORE_THE_MOVES = [
    ("cms", "0007_file_validity"),
    ("inscrire_forms", "0002_submission_reopened_at"),
    ("workflows", "0004_exported_action"),
    ("billing", "0002_finance_permissions"),
    ("notifications", "0003_editor_permissions"),
]

STEP = {
    "type": "step",
    "value": {"title": "L'enfant", "intro": "", "condition": {"field": "", "operator": "equals", "value": ""},
              "fields": [{"type": "text", "value": {"label": "Remarque", "name": "remarque", "help_text": "",
                                                     "required": False, "prefill": "",
                                                     "condition": {"field": "", "operator": "equals", "value": ""}}},
                         # A condition as conditions were written before clauses.
                         {"type": "text", "value": {"label": "Détail", "name": "detail", "help_text": "",
                                                     "required": False, "prefill": "",
                                                     "condition": {"field": "remarque", "operator": "filled",
                                                                   "value": ""}}}]},
}


def _old_world(apps) -> dict:
    import datetime as dt
    import uuid

    from django.utils import timezone

    ContentType = apps.get_model("contenttypes", "ContentType")
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    Revision = apps.get_model("wagtailcore", "Revision")
    School = apps.get_model("cms", "School")
    FormPage = apps.get_model("cms", "EnrolmentFormPage")
    User = apps.get_model("accounts", "User")
    Family = apps.get_model("accounts", "Family")
    Child = apps.get_model("accounts", "Child")
    Submission = apps.get_model("inscrire_forms", "Submission")
    Dossier = apps.get_model("workflows", "Dossier")
    Attestation = apps.get_model("billing", "Attestation")
    AttestationSettings = apps.get_model("billing", "AttestationSettings")
    Notification = apps.get_model("notifications", "Notification")

    locale, _ = Locale.objects.get_or_create(language_code="fr")
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    form_type, _ = ContentType.objects.get_or_create(app_label="cms", model="enrolmentformpage")
    dossier_type, _ = ContentType.objects.get_or_create(app_label="workflows", model="dossier")
    root = Page.objects.filter(depth=1).first() or Page.objects.create(
        title="Root", draft_title="Root", slug="root", path="0001", depth=1, numchild=0, url_path="/",
        content_type=page_type, locale=locale, translation_key=uuid.uuid4(),
    )
    path = f"{root.path}{Page.objects.filter(depth=root.depth + 1).count() + 90:04d}"
    school = School.objects.create(name="École du Bourg", postal_code="97228", commune="Sainte-Luce")
    page = FormPage.objects.create(
        title="Inscriptions 2026-2027", draft_title="Inscriptions 2026-2027", slug="inscriptions-avant", path=path,
        depth=root.depth + 1, numchild=0, url_path=f"/inscriptions-avant/", live=True, content_type=form_type,
        locale=locale, translation_key=uuid.uuid4(), form=[STEP], intro="<p>Avant le déménagement.</p>",
        payment_required=True, attestation_enabled=True,
    )
    FormPage.schools.through.objects.create(enrolmentformpage_id=page.pk, school_id=school.pk)
    revision = Revision.objects.create(
        content_type=form_type, base_content_type=page_type, object_id=str(page.pk), created_at=timezone.now(),
        content={"pk": page.pk, "title": page.title, "slug": page.slug, "content_type": form_type.pk,
                 "path": page.path, "depth": page.depth, "live": True, "intro": "<p>Une révision.</p>",
                 "form": "[]", "payment_required": True, "attestation_enabled": True, "schools": [school.pk]},
    )
    family = Family.objects.create(name="Joseph")
    child = Child.objects.create(family=family, first_name="Léa", last_name="Joseph", birth_date=dt.date(2021, 3, 14))
    parent = User.objects.create(email="marie@example.org", family=family, password="!")
    now = timezone.now()
    submission = Submission.objects.create(
        page=page, form_title=page.title, family=family, child=child, school=school, status="submitted",
        definition={}, answers={"remarque": "RAS"}, submitted_at=now, submitted_by=parent,
    )
    dossier = Dossier.objects.create(
        submission=submission, family=family, child=child, school=school, state="confirmed", reference="2026-00001",
        submitted_at=now, confirmed_at=now, payment_required=True, attestation_enabled=True,
    )
    Attestation.objects.create(dossier=dossier, file="attestations/avant.pdf")
    AttestationSettings.objects.create(title="Attestation de la commune", body="{enfant}", signature="La mairie")
    # Another child's dossier waits for its director, its process at the old flow's « validate » task.
    director = User.objects.create(email="direction@example.org", password="!", is_active=True)
    school.directors.add(director)
    sister = Child.objects.create(family=family, first_name="Inès", last_name="Joseph",
                                  birth_date=dt.date(2019, 5, 2))
    waiting = Dossier.objects.create(
        submission=Submission.objects.create(
            page=page, form_title=page.title, family=family, child=sister, school=school, status="submitted",
            definition={}, answers={}, submitted_at=now, submitted_by=parent),
        family=family, child=sister, school=school, state="submitted", reference="2026-00002", submitted_at=now,
        payment_required=False, attestation_enabled=False, corrections_allowed=False,
    )
    Process = apps.get_model("viewflow", "Process")
    Task = apps.get_model("viewflow", "Task")
    process = Process.objects.create(flow_class="workflows/flows.DossierFlow", status="NEW",
                                     artifact_content_type=dossier_type, artifact_object_id=waiting.pk)
    for node, kind, status in (("start", "HUMAN_START", "DONE"), ("needs_validation", "FUNCTION", "DONE"),
                               ("validate", "HUMAN", "NEW")):
        Task.objects.create(process=process, flow_task=f"workflows/flows.DossierFlow.{node}", flow_task_type=kind,
                            status=status, finished=now if status == "DONE" else None)
    told = Notification.objects.create(
        key=f"dossier_confirmed:dossier-{dossier.pk}:confirmed:{parent.email}", event="dossier_confirmed",
        recipient=parent.email, user=parent, family=family, content_type=dossier_type, object_id=str(dossier.pk),
        subject="Inscription confirmée", body_text="…", status="sent", sent_at=now,
    )
    return {"page": page.pk, "form_type": form_type.pk, "revision": revision.pk, "school": school.pk,
            "family": family.pk, "submission": submission.pk, "dossier": dossier.pk, "told_at": told.created_at,
            "waiting": waiting.pk, "director": director.pk}


@pytest.mark.django_db(transaction=True)
def test_the_moves_between_apps_keep_pages_revisions_dossiers_and_the_outbox():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from wagtail.models import Page, Revision

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVES)
    world = _old_world(executor.loader.project_state(BEFORE_THE_MOVES).apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    from forms.models import Submission
    from notifications.models import Notification
    from workflows.models import Attestation, AttestationSettings, Dossier, ProcedurePage

    page = Page.objects.get(pk=world["page"]).specific
    assert isinstance(page, ProcedurePage)
    assert page.title == "Inscriptions 2026-2027"
    # The switches became stages: a review by the school's directors (corrections allowed), the
    # payment, the attestation — on the page and on its older revision.
    assert [(s["kind"], s.get("decisions")) for s in page.compiled_stages()] == [
        ("review", ["validate", "refuse", "correct"]), ("payment", None), ("attestation", None)]
    assert list(page.schools.values_list("pk", flat=True)) == [world["school"]]
    # cms 0011 gave the school, made before codes existed, a code families can type.
    import re

    from cms.models import School

    assert re.fullmatch(r"(?=.*[A-Z])[A-Z0-9]{4,12}", School.objects.get(pk=world["school"]).code)
    assert [step["title"] for step in page.get_definition()["steps"]] == ["L'enfant"]
    # The old condition is now one clause of a condition block.
    assert page.get_definition()["steps"][0]["items"][1]["condition"] == {
        "match": "all", "clauses": [{"field": "remarque", "op": "filled", "value": "", "value2": ""}]}
    # The content type kept its id, so revisions, log entries and pages still point at it.
    assert ContentType.objects.get_for_model(ProcedurePage).pk == world["form_type"]
    old = Revision.objects.get(pk=world["revision"]).as_object()
    assert isinstance(old, ProcedurePage) and old.intro == "<p>Une révision.</p>"
    assert [child.block_type for child in old.stages] == ["review", "payment", "attestation"]
    assert set(Permission.objects.filter(content_type_id=world["form_type"]).values_list("codename", flat=True)) >= {
        "add_procedurepage", "change_procedurepage"}

    submission = Submission.objects.get(pk=world["submission"])
    assert submission.page.specific == page
    dossier = Dossier.objects.get(pk=world["dossier"])
    assert dossier.submission == submission
    # A confirmed dossier is past its stages; it kept them, and its school's directors still see it.
    assert [s["kind"] for s in dossier.stages] == ["review", "payment", "attestation"]
    assert dossier.stage_index == 3 and dossier.payment_required and dossier.attestation_enabled
    assert dossier.reviewer_groups.get().kind == "school_directors"
    assert Attestation.objects.get(dossier=dossier).file.name == "attestations/avant.pdf"
    assert AttestationSettings.load().title == "Attestation de la commune"
    notification = Notification.objects.get(object_id=str(dossier.pk))
    assert notification.family_id == world["family"]
    # Already told: the confirmations' sweep will not send it again.
    assert dossier.confirmation_notified_at == world["told_at"]

    # The waiting dossier is at its review by the directors, and its director validates it through
    # today's flow (its old « validate » task is now the flow's « review »).
    from django.contrib.auth import get_user_model

    from workflows import services

    waiting = Dossier.objects.get(pk=world["waiting"])
    assert (waiting.state, waiting.stage_index, waiting.stage_title) == ("submitted", 0, "Validation par l'école")
    assert waiting.decisions == ["validate", "refuse"]  # corrections were off
    director = get_user_model().objects.get(pk=world["director"])
    validated = services.dossier_validate(dossier=waiting, by=director)
    assert validated.state == "confirmed"
    assert services.dossier_process(validated).status == "DONE"
