from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal data kept only as long as it must be: retention, a family's
    copy of its data, and account deletion. It sits on top of the other
    apps (it reads and erases their data) and nothing depends on it."""

    name = "privacy"
    verbose_name = _("Données personnelles")
