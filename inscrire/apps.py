from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InscrireConfig(AppConfig):
    """The project itself: settings, URLs, the Jinja2 environment, security
    headers, backup and restore, the demo. It sits above every app and is
    imported by none."""

    name = "inscrire"
    verbose_name = _("Inscrire")
