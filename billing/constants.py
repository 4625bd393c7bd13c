from django.db import models
from django.utils.translation import gettext_lazy as _


class Service(models.TextChoices):
    """What a family pays for each month."""

    CANTEEN = "canteen", _("Restauration scolaire (cantine)")
    AFTER_SCHOOL = "after_school", _("Accueil périscolaire (garderie)")
    STUDY = "study", _("Étude surveillée")
    TRANSPORT = "transport", _("Transport scolaire")


class PaymentMode(models.TextChoices):
    SEPA = "sepa", _("Prélèvement automatique")
    CARD = "card", _("Carte bancaire")
    CASH = "cash", _("Espèces")


class ArrangementStatus(models.TextChoices):
    """Where the family's chosen way of paying stands."""

    CHOSEN = "chosen", _("Mode choisi, en attente du paiement")
    TO_CHECK = "to_check", _("En cours de vérification par le service financier")
    SETTLED = "settled", _("Réglé")
    REJECTED = "rejected", _("Rejeté : un nouveau règlement est attendu")


class MandateStatus(models.TextChoices):
    AWAITING_SIGNATURE = "awaiting_signature", _("À signer par la famille")
    SIGNED = "signed", _("Signé, à vérifier")
    VALIDATED = "validated", _("Validé")
    REFUSED = "refused", _("Refusé")
    REVOKED = "revoked", _("Révoqué")


class RevocationReason(models.TextChoices):
    """Why a mandate stopped: the finance workspace lists the recent ones.
    The first three end the family's relation with the dossier: no debit is
    exported after them, and the account details are erased once no debit
    is pending (``billing.services.mandates_erase``)."""

    ACCOUNT_DELETED = "account_deleted", _("Compte de la famille supprimé")
    DOSSIER_REFUSED = "dossier_refused", _("Dossier refusé")
    DOSSIER_WITHDRAWN = "dossier_withdrawn", _("Dossier retiré par la famille")
    DEBIT_REJECTED = "debit_rejected", _("Prélèvement rejeté par la banque")
    REPLACED = "replaced", _("Remplacé avant signature")


# The revocations after which the portal keeps no account details.
END_REVOCATIONS = (RevocationReason.ACCOUNT_DELETED, RevocationReason.DOSSIER_REFUSED,
                   RevocationReason.DOSSIER_WITHDRAWN)


class DebitStatus(models.TextChoices):
    EXPORTED = "exported", _("Transmis à la banque")
    REJECTED = "rejected", _("Rejeté par la banque")


class SequenceType(models.TextChoices):
    """SEPA sequence: the first debit of a mandate, then recurring ones."""

    FIRST = "FRST", _("Premier prélèvement")
    RECURRING = "RCUR", _("Prélèvement récurrent")


class ServiceUnit(models.TextChoices):
    """What a service's price is for: a meal and a session are counted on
    the planned school days, a month is due once for each month of school."""

    MEAL = "meal", _("par repas")
    SESSION = "session", _("par séance")
    MONTH = "month", _("par mois")


class BillStatus(models.TextChoices):
    """Where a family's monthly bill stands. « En retard » is set by the
    daily task after the due date (the 20th of the month before); it stays
    payable."""

    TO_PAY = "to_pay", _("À payer")
    PAID = "paid", _("Payé")
    LATE = "late", _("En retard")
    CANCELLED = "cancelled", _("Annulé")


# The bills a family still has to pay.
BILL_OPEN = (BillStatus.TO_PAY, BillStatus.LATE)


class ReservationKind(models.TextChoices):
    """A family's change to the days planned from its answers, for one day."""

    ADDED = "added", _("Jour réservé")
    CANCELLED = "cancelled", _("Jour annulé")


class QuotientStatus(models.TextChoices):
    PENDING = "pending", _("À vérifier par le service financier")
    VALIDATED = "validated", _("Validé")
    REFUSED = "refused", _("Refusé")
