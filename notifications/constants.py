from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """Every event that sends a message. Editors write one template per event."""

    ACCOUNT_CONFIRMATION = "account_confirmation", _("Confirmation de l'adresse e-mail")
    ACCOUNT_INVITATION = "account_invitation", _("Invitation à ouvrir un compte")
    PASSWORD_RESET = "password_reset", _("Réinitialisation du mot de passe")
    GUARDIAN_INVITATION = "guardian_invitation", _("Invitation d'un second responsable")


class Status(models.TextChoices):
    PENDING = "pending", _("En attente")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
