from django.db import models
from django.utils.translation import gettext_lazy as _


class GroupKind(models.TextChoices):
    """Who a reviewer group is. Two are built in and resolve per dossier."""

    MEMBERS = "members", _("Des personnes nommées")
    SCHOOL_DIRECTORS = "school_directors", _("La direction de l'école du dossier")
    FINANCE = "finance", _("Les agents financiers")


class StageKind(models.TextChoices):
    """What a stage of a procedure does."""

    REVIEW = "review", _("Examen")
    PAYMENT = "payment", _("Paiement")
    ATTESTATION = "attestation", _("Attestation")


class Decision(models.TextChoices):
    """What a review stage may decide."""

    VALIDATE = "validate", _("Valider")
    REFUSE = "refuse", _("Refuser")
    CORRECT = "correct", _("Demander des compléments")


class Routing(models.TextChoices):
    """Which of a review stage's groups examines a dossier."""

    SCHOOL = "school", _("Le premier groupe qui couvre l'école du dossier")
    ANSWER = "answer", _("Le premier groupe qui couvre la commune donnée en réponse à une question")


class DossierState(models.TextChoices):
    """Where a dossier stands, as the family and the school see it."""

    SUBMITTED = "submitted", _("Déposé, en attente de validation")
    CORRECTION = "correction", _("Compléments demandés")
    AWAITING_PAYMENT = "awaiting_payment", _("Validé, en attente de paiement")
    CONFIRMED = "confirmed", _("Confirmé")
    REFUSED = "refused", _("Refusé")
    WITHDRAWN = "withdrawn", _("Retiré par la famille")


OPEN_STATES = {DossierState.SUBMITTED, DossierState.CORRECTION, DossierState.AWAITING_PAYMENT}
FINAL_STATES = {DossierState.CONFIRMED, DossierState.REFUSED, DossierState.WITHDRAWN}


class DossierAction(models.TextChoices):
    """What happened to a dossier: its history and audit trail."""

    SUBMITTED = "submitted", _("Dossier déposé")
    RESUBMITTED = "resubmitted", _("Dossier complété et déposé à nouveau")
    VALIDATED = "validated", _("Dossier validé")
    REFUSED = "refused", _("Dossier refusé")
    CORRECTION_REQUESTED = "correction_requested", _("Compléments demandés")
    WITHDRAWN = "withdrawn", _("Dossier retiré")
    PAYMENT_SETTLED = "payment_settled", _("Paiement réglé")
    PAYMENT_REJECTED = "payment_rejected", _("Paiement rejeté")
    CONFIRMED = "confirmed", _("Inscription confirmée")
    MESSAGE = "message", _("Message")
    VIEWED = "viewed", _("Dossier consulté")
    DOCUMENT_VIEWED = "document_viewed", _("Document consulté")
    REMINDER = "reminder", _("Relance : dossier en attente")
    EXPORTED = "exported", _("Dossier inclus dans un export")
    NOTE = "note", _("Annotation privée")
    OPINION_ASKED = "opinion_asked", _("Avis demandé")
    OPINION_GIVEN = "opinion_given", _("Avis rendu")
    TAKEN = "taken", _("Pris en charge")
    RELEASED = "released", _("Prise en charge laissée")


# Staff reading a child's data: the audit's answer to « who saw it », left out
# of the history the family sees.
STAFF_READS = (DossierAction.VIEWED, DossierAction.DOCUMENT_VIEWED, DossierAction.EXPORTED)
# The reviewers' own work on a dossier: in the staff audit, never shown to
# the family — not on its pages, not in its e-mails, not in its data export.
STAFF_ONLY = STAFF_READS + (DossierAction.NOTE, DossierAction.OPINION_ASKED, DossierAction.OPINION_GIVEN,
                            DossierAction.TAKEN, DossierAction.RELEASED)
# What a reviewer decides: « traités » lists the dossiers one took part in.
DECISION_ACTIONS = (DossierAction.VALIDATED, DossierAction.REFUSED, DossierAction.CORRECTION_REQUESTED,
                    DossierAction.OPINION_GIVEN)


class InboxTab(models.TextChoices):
    """The reviewer's inbox, as Démarches Simplifiées' instructors have it."""

    TO_DO = "a-traiter", _("À traiter")
    MINE = "suivis", _("Suivis par moi")
    DONE = "traites", _("Traités")
    ALL = "tous", _("Tous")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (tableur)")
    XLSX = "xlsx", _("Excel (XLSX)")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")
