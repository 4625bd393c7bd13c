from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """What one pass of the retention task removed: the log the data
    protection officer reads."""

    ran_at = models.DateTimeField(_("exécuté le"), auto_now_add=True)
    documents_deleted = models.PositiveIntegerField(_("documents supprimés"), default=0)
    dossiers_anonymised = models.PositiveIntegerField(_("dossiers anonymisés"), default=0)
    drafts_deleted = models.PositiveIntegerField(_("brouillons supprimés"), default=0)
    details = models.JSONField(_("détail"), default=list, blank=True)

    class Meta:
        verbose_name = _("passage de la conservation des données")
        verbose_name_plural = _("passages de la conservation des données")
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M}"
