"""« Qui a consulté ce dossier » — the audit trail of one child's data.

Every staff read of a dossier page (``DossierAction.VIEWED``) or of a
document (``DOCUMENT_VIEWED``), every decision and every message is a
``DossierEvent`` written by ``workflows.services``; so is every export
that included the dossier (``EXPORTED``, one line per dossier, written when
the export's file is ready). This module reads them back for one child, across
all of the child's dossiers, for the report page in the staff workspace.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import selectors
from .constants import STAFF_READS
from .models import DossierEvent

READS = STAFF_READS


def audit_for_child(*, child, reads_only: bool = False, visible_to=None) -> QuerySet[DossierEvent]:
    """Who did what with ``child``'s dossiers, and when: newest first, with
    the person, the dossier and the document read. ``reads_only`` keeps the
    staff reads (the answer to « who saw this child's data »); ``visible_to``
    keeps the dossiers that member of staff may see (a director does not
    learn of the child's dossiers at other schools)."""
    events = (
        DossierEvent.objects.filter(dossier__child=child)
        .select_related("actor", "dossier", "dossier__school")
        .order_by("-created_at", "-pk")
    )
    if visible_to is not None:
        events = events.filter(dossier__in=selectors.dossiers_for_staff(user=visible_to).values("pk"))
    if reads_only:
        events = events.filter(action__in=READS)
    return events


def audit_readers(*, child, visible_to=None) -> list[dict]:
    """One line per person who read the child's data: how many reads, first and last."""
    lines: dict[int | None, dict] = {}
    for event in audit_for_child(child=child, reads_only=True, visible_to=visible_to):
        line = lines.setdefault(event.actor_id, {"actor": event.actor, "count": 0, "first": event.created_at,
                                                  "last": event.created_at})
        line["count"] += 1
        line["first"] = min(line["first"], event.created_at)
        line["last"] = max(line["last"], event.created_at)
    return sorted(lines.values(), key=lambda line: line["last"], reverse=True)


@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report page, for the staff who may see the dossier."""
    if not selectors.is_workspace_user(request.user):
        raise Http404
    dossier = selectors.dossier_for_staff(user=request.user, pk=pk)
    if dossier is None:
        raise Http404(_("Dossier introuvable."))
    child = dossier.child
    return TemplateResponse(
        request,
        "workflows/admin/audit.html",
        {
            "dossier": dossier,
            "child": child,
            "readers": audit_readers(child=child, visible_to=request.user),
            "events": audit_for_child(child=child, visible_to=request.user)[:500],
        },
    )
