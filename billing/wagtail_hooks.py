"""The finance workspace and the tariffs, in the Wagtail admin."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import selectors
from .admin_urls import urlpatterns
from .models import Tariff


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
