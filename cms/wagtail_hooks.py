from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_views import can_roll, school_year_next_view
from .models import School


class SchoolViewSet(SnippetViewSet):
    model = School
    icon = "home"
    menu_label = _("Écoles")
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "code", "kind", "postal_code", "commune"]
    list_filter = ["kind", "commune"]
    search_fields = ["name", "code", "commune", "postal_code"]


register_snippet(SchoolViewSet)


# --- « Préparer l'année suivante » on the page types that offer it (help indexes, procedures) -----


@hooks.register("register_admin_urls")
def register_school_year_urls():
    return [path("pages/<int:page_id>/annee-suivante/", school_year_next_view, name="cms_school_year_next")]


def _school_year_button(page, user, priority):
    if getattr(page.specific_class, "school_year_rollover", False) and can_roll(page, user):
        yield Button(
            _("Préparer l'année suivante"),
            reverse("cms_school_year_next", args=[page.pk]),
            icon_name="copy",
            priority=priority,
        )


@hooks.register("register_page_listing_more_buttons")
def school_year_listing_button(page, user, next_url=None):
    yield from _school_year_button(page, user, 25)


@hooks.register("register_page_header_buttons")
def school_year_header_button(page, user, view_name, next_url=None):
    yield from _school_year_button(page, user, 35)
