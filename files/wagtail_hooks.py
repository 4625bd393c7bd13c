"""The admin dashboard says when uploads are not scanned for viruses, so
that staff opening families' documents know it."""

from django.conf import settings
from wagtail import hooks
from wagtail.admin.ui.components import Component


class AntivirusOffPanel(Component):
    name = "antivirus_off"
    order = 5
    template_name = "files/admin/antivirus_panel.html"

    def get_context_data(self, parent_context):
        return {"turned_off": settings.ANTIVIRUS_TURNED_OFF}


@hooks.register("construct_homepage_panels")
def add_antivirus_panel(request, panels):
    if not settings.CLAMAV_URL:
        panels.insert(0, AntivirusOffPanel())
