from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """Every event that sends a message. Editors write one template per event;
    the variables each one receives are listed in ``notifications.variables``.
    The label says who receives it."""

    # Accounts (sent to one person).
    ACCOUNT_CONFIRMATION = "account_confirmation", _("Confirmation de l'adresse e-mail")
    ACCOUNT_INVITATION = "account_invitation", _("Invitation à ouvrir un compte")
    PASSWORD_RESET = "password_reset", _("Réinitialisation du mot de passe")
    GUARDIAN_INVITATION = "guardian_invitation", _("Invitation d'un second responsable")
    ACCOUNT_EXISTS = "account_exists", _("Inscription avec une adresse qui a déjà un compte")
    ACCOUNT_DELETED = "account_deleted", _("Compte famille supprimé (confirmation)")
    # Dossiers.
    DOSSIER_SUBMITTED = "dossier_submitted", _("Dossier déposé (famille)")
    DOSSIER_SUBMITTED_DIRECTORS = "dossier_submitted_directors", _("Dossier déposé (direction)")
    DOSSIERS_DIGEST = "dossiers_digest", _("Récapitulatif quotidien des dossiers déposés (direction)")
    CORRECTION_REQUESTED = "correction_requested", _("Correction demandée (famille)")
    DOSSIER_RESUBMITTED = "dossier_resubmitted", _("Dossier corrigé et renvoyé (direction)")
    DOSSIER_VALIDATED = "dossier_validated", _("Dossier validé (famille)")
    DOSSIER_REFUSED = "dossier_refused", _("Dossier refusé (famille)")
    DOSSIER_WITHDRAWN = "dossier_withdrawn", _("Dossier retiré (famille)")
    DOSSIER_WITHDRAWN_DIRECTORS = "dossier_withdrawn_directors", _("Dossier retiré par la famille (direction)")
    SCHOOL_MESSAGE = "school_message", _("Message de l'école sur un dossier (famille)")
    FAMILY_MESSAGE = "family_message", _("Message de la famille sur un dossier (examinateurs)")
    DOSSIER_WAITING = "dossier_waiting", _("Dossier en attente de validation depuis longtemps (direction)")
    OPINION_ASKED = "opinion_asked", _("Avis demandé sur un dossier (groupe ou personne sollicités)")
    DOSSIER_CONFIRMED = "dossier_confirmed", _("Inscription confirmée, avec l'attestation (famille)")
    # Payments.
    PAYMENT_REMINDER = "payment_reminder", _("Rappel avant l'échéance de paiement (famille)")
    PAYMENT_OVERDUE = "payment_overdue", _("Paiement en retard (famille)")
    PAYMENT_RECEIVED = "payment_received", _("Paiement reçu (famille)")
    MANDATE_VALIDATED = "mandate_validated", _("Mandat de prélèvement validé (famille)")
    DEBIT_REJECTED = "debit_rejected", _("Prélèvement rejeté (famille)")


# Their body holds a one-time link or a provisional password: it is wiped
# once sent, never shown to staff, and kept out of the in-app copy.
SENSITIVE_EVENTS = frozenset(
    {Event.ACCOUNT_CONFIRMATION, Event.ACCOUNT_INVITATION, Event.PASSWORD_RESET, Event.GUARDIAN_INVITATION}
)


# Never sent as a push message either: the lock screen of a shared phone is
# no place for a one-time link or a password — nor for « someone tried to
# open an account with your address », which only the e-mail explains.
PUSH_EXCLUDED_EVENTS = SENSITIVE_EVENTS | {Event.ACCOUNT_EXISTS, Event.ACCOUNT_DELETED}


class Channel(models.TextChoices):
    """How an outbox row reaches its recipient. The e-mail is the message of
    record (the family's history, « Mes dossiers », the data export); a push
    row is its short echo on one device."""

    EMAIL = "email", _("E-mail")
    PUSH = "push", _("Notification sur un appareil")


class Status(models.TextChoices):
    PENDING = "pending", _("En attente")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
