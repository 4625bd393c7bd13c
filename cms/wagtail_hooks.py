from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import School


class SchoolViewSet(SnippetViewSet):
    model = School
    icon = "home"
    menu_label = _("Écoles")
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "kind", "postal_code", "commune"]
    list_filter = ["kind", "commune"]
    search_fields = ["name", "commune", "postal_code"]


register_snippet(SchoolViewSet)
