"""The finance workspace and the tariffs, in the Wagtail admin."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import selectors
from .admin_urls import urlpatterns
from .admin_forms import ProcedureServiceForm, SchoolCalendarForm
from .constants import Service
from .models import ProcedureService, SchoolCalendar, Tariff


@hooks.register("register_admin_urls")
def register_payment_urls():
    return [path("paiements/", include((urlpatterns, "billing_admin")))]


class FinanceMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.is_finance_user(request.user)


@hooks.register("register_admin_menu_item")
def register_payment_menu_item():
    return FinanceMenuItem(_("Paiements"), reverse("billing_admin:index"), icon_name="tag", order=55)


class TariffViewSet(SnippetViewSet):
    """Tarifs par école, service et année scolaire."""

    model = Tariff
    icon = "tag"
    menu_label = _("Tarifs")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["school", "service", "school_year", "monthly_amount"]
    list_filter = ["service", "school_year"]


register_snippet(TariffViewSet)


class ProcedureServiceViewSet(SnippetViewSet):
    """Services des démarches : ce qu'un dossier confirmé donne à consommer,
    à quel prix (unique ou par tranche de quotient familial)."""

    model = ProcedureService
    icon = "list-ul"
    menu_label = _("Services")
    menu_order = 211
    add_to_admin_menu = True
    list_display = ["name", "procedure", "school_year", "school", "unit", "price"]
    list_filter = ["school_year", "kind", "unit"]
    edit_handler = ObjectList(ProcedureService.panels, base_form_class=ProcedureServiceForm)


register_snippet(ProcedureServiceViewSet)


class SchoolCalendarViewSet(SnippetViewSet):
    """Calendriers scolaires : les jours de classe de chaque année."""

    model = SchoolCalendar
    icon = "date"
    menu_label = _("Calendriers scolaires")
    menu_order = 212
    add_to_admin_menu = True
    list_display = ["school_year", "first_day", "last_day"]
    edit_handler = ObjectList(SchoolCalendar.panels, base_form_class=SchoolCalendarForm)


register_snippet(SchoolCalendarViewSet)


class FinancePanel(Component):
    name = "finance_panel"
    order = 20
    template_name = "billing/admin/panel.html"

    def __init__(self, user) -> None:
        self.user = user

    def get_context_data(self, parent_context):
        return {
            "mandates": selectors.mandates_to_check(user=self.user).count(),
            "cash": selectors.cash_to_record(user=self.user).count(),
            "url": reverse("billing_admin:index"),
        }


@hooks.register("construct_homepage_panels")
def add_finance_panel(request, panels):
    if selectors.is_finance_user(request.user):
        panels.append(FinancePanel(request.user))


@hooks.register("dossier_statistics")
def payment_mode_statistics(dossiers):
    """« Dossiers avec paiement, par mode de paiement » on the workspace's
    statistics (a mode not yet chosen counts too)."""
    return selectors.payment_mode_statistics(dossiers=dossiers)


@hooks.register("payment_services")
def payment_services():
    """What a procedure's « Paiement » stage may ask the family to pay for."""
    return Service.choices
