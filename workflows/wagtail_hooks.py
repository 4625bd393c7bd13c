"""The directors' and finance agents' workspace, in the Wagtail admin."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from . import selectors
from .admin_urls import urlpatterns


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
    name = "waiting_dossiers"
    order = 10
    template_name = "workflows/admin/waiting_panel.html"

    def __init__(self, count: int) -> None:
        self.count = count

    def get_context_data(self, parent_context):
        return {"count": self.count, "url": reverse("workflows_admin:index") + "?state=submitted"}


@hooks.register("construct_homepage_panels")
def add_waiting_dossiers_panel(request, panels):
    if selectors.is_workspace_user(request.user):
        panels.insert(0, WaitingDossiersPanel(selectors.waiting_count(user=request.user)))
