import logging

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class FilesConfig(AppConfig):
    """Files families and staff send or receive: the one check pipeline for
    every upload, the private storage, and the one way to serve a private
    file. It depends on no other app of the project."""

    name = "files"
    verbose_name = _("Fichiers")

    def ready(self) -> None:
        # Every process says it (web workers, the task consumer, commands):
        # running without antivirus is a choice someone must see.
        if settings.ANTIVIRUS_TURNED_OFF:
            logger.warning("Antivirus turned off (CLAMAV_URL=off): uploaded documents are not scanned for viruses.")
