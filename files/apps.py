from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    """Files families and staff send or receive: the one check pipeline for
    every upload, the private storage, and the one way to serve a private
    file. It depends on no other app of the project."""

    name = "files"
    verbose_name = _("Fichiers")
