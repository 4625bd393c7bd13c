"""The reviewers' workspace in the Wagtail admin, and the reviewer groups
editors manage there."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import selectors, services
from .constants import DossierState, InboxTab
from .admin_urls import urlpatterns
from .models import ReviewerGroup


@hooks.register("register_admin_urls")
def register_dossier_urls():
    return [path("dossiers/", include((urlpatterns, "workflows_admin")))]


class DossierMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.is_workspace_user(request.user)


@hooks.register("register_admin_menu_item")
def register_dossier_menu_item():
    return DossierMenuItem(_("Dossiers"), reverse("workflows_admin:index"), icon_name="folder-open-inverse", order=50)


class StatisticsMenuItem(MenuItem):
    """Editors have no dossier list, but see the statistics."""

    def is_shown(self, request):
        return not selectors.is_workspace_user(request.user) and selectors.can_see_statistics(user=request.user)


@hooks.register("register_admin_menu_item")
def register_statistics_menu_item():
    return StatisticsMenuItem(_("Statistiques"), reverse("workflows_admin:statistics"), icon_name="table", order=55)


class WaitingDossiersPanel(Component):
    """The dashboard's first panel for reviewers (directors above all):
    what waits for them, each count a link to its tab of the inbox."""

    name = "waiting_dossiers"
    order = 10
    template_name = "workflows/admin/waiting_panel.html"

    def __init__(self, counts: selectors.DashboardCounts) -> None:
        self.counts = counts

    def get_context_data(self, parent_context):
        index = reverse("workflows_admin:index")
        return {
            "count": self.counts.decisions,
            "counts": self.counts,
            "url": f"{index}?onglet={InboxTab.TO_DO.value}",
            "mine_url": f"{index}?onglet={InboxTab.MINE.value}",
            "corrections_url": f"{index}?state={DossierState.CORRECTION.value}",
        }


@hooks.register("construct_homepage_panels")
def add_waiting_dossiers_panel(request, panels):
    if selectors.is_workspace_user(request.user):
        panels.insert(0, WaitingDossiersPanel(selectors.dashboard_counts(user=request.user)))


# --- Reviewer groups ---------------------------------------------------------------------------


class ReviewerGroupViewSet(SnippetViewSet):
    model = ReviewerGroup
    icon = "group"
    menu_label = _("Groupes d'instruction")
    menu_order = 205
    add_to_admin_menu = True
    list_display = ["name", "kind", "communes"]
    search_fields = ["name"]


register_snippet(ReviewerGroupViewSet)


def _sync_access(request, instance=None, instances=None):
    if isinstance(instance, ReviewerGroup) or (instances and isinstance(instances[0], ReviewerGroup)):
        services.reviewer_access_sync()


hooks.register("after_create_snippet", _sync_access)
hooks.register("after_edit_snippet", _sync_access)
hooks.register("after_delete_snippet", lambda request, instances: _sync_access(request, instances=instances))


@hooks.register("before_delete_snippet")
def keep_built_in_groups(request, instances):
    """The two built-in groups resolve per dossier and every procedure may
    name them: they stay."""
    if request.method == "POST" and any(isinstance(i, ReviewerGroup) and i.is_built_in for i in instances):
        messages.error(request, gettext("Ce groupe est prédéfini : il ne peut pas être supprimé."))
        return redirect("wagtailsnippets_workflows_reviewergroup:list")
    return None
