# A procedure's four switches (validation and by whom, corrections,
# payment, attestation) become its list of stages, on its pages, on every
# revision of them (so that the editor opens what the page says), and on
# each dossier, which also learns the stage it is at and the group that
# examines it. The two built-in reviewer groups, the « Instructeurs » role
# (members of the editors' groups reach the workspace) and the editors'
# right to manage reviewer groups are created. Viewflow's tasks follow the
# flow's new nodes. Nothing is lost: what the switches said, the stages say.

import json
import uuid

from django.contrib.auth.management import create_permissions
from django.db import migrations

SCHOOL_DIRECTORS, FINANCE = "school_directors", "finance"
BUILT_IN = {SCHOOL_DIRECTORS: "Direction de l'école du dossier", FINANCE: "Agents financiers"}
SERVICES = ["canteen", "after_school", "study", "transport"]
NO_CONDITION = {"field": "", "operator": "equals", "value": ""}
EDITOR, REVIEWER = "Rédacteurs", "Instructeurs"
EDITOR_GRANTS = ["add_reviewergroup", "change_reviewergroup", "delete_reviewergroup", "view_reviewergroup"]
RENAMED_NODES = {
    "validate": "review",
    "needs_validation": "dispatch",
    "route_decision": "dispatch",
    "needs_payment": "dispatch",
}


def _decisions(corrections_allowed: bool) -> list[str]:
    return ["validate", "refuse", "correct"] if corrections_allowed else ["validate", "refuse"]


def _review_title(role: str) -> str:
    return "Validation par le service financier" if role == "finance" else "Validation par l'école"


def _blocks(switches: dict, groups: dict) -> list[dict]:
    """The page's stages StreamField (raw data) for its switches."""
    blocks = []
    if switches.get("validation_required", True):
        role = switches.get("validation_role") or "director"
        blocks.append({"type": "review", "id": str(uuid.uuid4()), "value": {
            "title": _review_title(role),
            "groups": [{"type": "item", "id": str(uuid.uuid4()),
                        "value": groups[FINANCE if role == "finance" else SCHOOL_DIRECTORS]}],
            "routing": "school", "routing_question": "", "fallback": None,
            "decisions": _decisions(switches.get("corrections_allowed", True)),
            "condition": dict(NO_CONDITION), "delay_days": None,
        }})
    if switches.get("payment_required"):
        blocks.append({"type": "payment", "id": str(uuid.uuid4()), "value": {
            "title": "Paiement", "services": list(SERVICES), "condition": dict(NO_CONDITION)}})
    if switches.get("attestation_enabled"):
        blocks.append({"type": "attestation", "id": str(uuid.uuid4()), "value": {
            "title": "", "body": "", "signature": ""}})
    return blocks


def _compiled(dossier, groups: dict) -> list[dict]:
    stages = []
    if dossier.validation_required:
        group = groups[FINANCE if dossier.validation_role == "finance" else SCHOOL_DIRECTORS]
        stages.append({"kind": "review", "title": _review_title(dossier.validation_role), "condition": None,
                       "groups": [group], "routing": "school", "routing_question": "", "fallback": None,
                       "decisions": _decisions(dossier.corrections_allowed), "delay_days": None,
                       "group": group, "note": ""})
    if dossier.payment_required:
        stages.append({"kind": "payment", "title": "Paiement", "condition": None, "services": list(SERVICES)})
    if dossier.attestation_enabled:
        stages.append({"kind": "attestation", "title": "", "condition": None, "body": "", "signature": ""})
    return stages


def forwards(apps, schema_editor) -> None:
    ReviewerGroup = apps.get_model("workflows", "ReviewerGroup")
    groups = {kind: ReviewerGroup.objects.get_or_create(kind=kind, defaults={"name": name})[0].pk
              for kind, name in BUILT_IN.items()}

    # Roles and rights.
    app_config = apps.get_app_config("workflows")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITOR)
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="workflows",
                                                       codename__in=EDITOR_GRANTS))
    reviewers, _ = Group.objects.get_or_create(name=REVIEWER)
    access = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    reviewers.permissions.add(*access)

    # Pages, and every revision of them.
    ProcedurePage = apps.get_model("workflows", "ProcedurePage")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    switches = ("validation_required", "validation_role", "corrections_allowed", "payment_required",
                "attestation_enabled")
    for page in ProcedurePage.objects.all():
        page.stages = _blocks({name: getattr(page, name) for name in switches}, groups)
        page.save(update_fields=["stages"])
    page_type = ContentType.objects.filter(app_label="workflows", model="procedurepage").first()
    if page_type is not None:
        for revision in Revision.objects.filter(content_type_id=page_type.pk).iterator():
            content = dict(revision.content or {})
            if "stages" in content:
                continue
            content["stages"] = json.dumps(_blocks({name: content.get(name) for name in switches if name in content},
                                                   groups))
            Revision.objects.filter(pk=revision.pk).update(content=content)

    # Dossiers: their stages, where they are, who examines them.
    Dossier = apps.get_model("workflows", "Dossier")
    DossierReviewer = apps.get_model("workflows", "DossierReviewer")
    for dossier in Dossier.objects.all().iterator():
        stages = _compiled(dossier, groups)
        kinds = [s["kind"] for s in stages]
        dossier.stages = stages
        dossier.review_group_id = None
        if dossier.state in ("submitted", "correction"):
            dossier.stage_index = kinds.index("review") if "review" in kinds else 0
            dossier.review_group_id = stages[dossier.stage_index]["group"] if "review" in kinds else None
            dossier.stage_started_at = dossier.submitted_at
        elif dossier.state == "awaiting_payment":
            dossier.stage_index = kinds.index("payment") if "payment" in kinds else len(stages)
            dossier.stage_started_at = dossier.decided_at or dossier.submitted_at
        elif dossier.state == "confirmed":
            dossier.stage_index = len(stages)
        else:
            dossier.stage_index = 0
        dossier.save(update_fields=["stages", "stage_index", "review_group", "stage_started_at"])
        if "review" in kinds:
            DossierReviewer.objects.get_or_create(dossier_id=dossier.pk, group_id=stages[0]["group"])

    # Viewflow's tasks name the flow's nodes.
    table = schema_editor.quote_name("viewflow_task")
    for old, new in RENAMED_NODES.items():
        schema_editor.execute(
            f"UPDATE {table} SET flow_task = %s WHERE flow_task = %s",
            [f"workflows/flows.DossierFlow.{new}", f"workflows/flows.DossierFlow.{old}"],
        )


class Migration(migrations.Migration):

    dependencies = [
        ("workflows", "0007_procedure_stages"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0098_apitoken"),
        ("viewflow", "0014_alter_process_parent_task"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
