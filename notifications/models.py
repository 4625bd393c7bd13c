from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import Event, Status


class Notification(models.Model):
    """The outbox: one row per event and recipient, written in the same
    transaction as the event, delivered by a Huey task after commit."""

    key = models.CharField(
        _("clé"), max_length=200, unique=True, help_text=_("Unique par événement et destinataire.")
    )
    event = models.CharField(_("événement"), max_length=50, choices=Event.choices)
    recipient = models.EmailField(_("destinataire"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    subject = models.CharField(_("objet"), max_length=255)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("prise en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.recipient}"

    @property
    def message_id(self) -> str:
        """Deterministic, so a message sent twice is recognisable as one."""
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ")
        return f"<notification-{self.pk}@{domain}>"
