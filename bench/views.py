"""The baselines, served by the same gunicorn as the product."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .models import BareRow

HELP_HTML = "bench_help.html"


@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    """Baseline (a): read one field, insert one row (CSRF and sessions still run)."""
    row = BareRow.objects.create(child=request.POST.get("child", "")[:150])
    return HttpResponse(str(row.pk), content_type="text/plain")


@lru_cache(maxsize=1)
def _help_html() -> bytes:
    return (Path(settings.DATA_DIR) / HELP_HTML).read_bytes()


@require_GET
def help_bare(request: HttpRequest) -> HttpResponse:
    """The help page's HTML, as ``bench_seed`` captured it, with no page lookup."""
    return HttpResponse(_help_html(), content_type="text/html; charset=utf-8")


@login_required
@require_GET
def viewflow_queue(request: HttpRequest) -> HttpResponse:
    """Viewflow's stock task list on the same data: the queryset and columns
    of ``FlowQueueListView`` (#, task title, brief, created; newest first,
    25 a page). ``user_queue`` keeps only HUMAN tasks and ours are Handle
    nodes decided by services, so the flow filter is applied directly."""
    from workflows.flows import DossierFlow
    from workflows.selectors import is_workspace_user

    if not is_workspace_user(request.user):
        raise Http404
    queryset = (
        Task.objects.all().select_related("process")
        .filter(process__flow_class=DossierFlow, status=STATUS.NEW)
        .order_by("-created")
    )
    page = Paginator(queryset, 25).get_page(request.GET.get("p"))
    return render(request, "bench/task_list.html", {"page_obj": page}, using="django")
