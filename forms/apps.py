from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    """The form builder. Its label is not ``forms``: that label belongs to
    ``django.forms``, which FORM_RENDERER needs in INSTALLED_APPS."""

    name = "forms"
    label = "inscrire_forms"
    verbose_name = _("Formulaires")
