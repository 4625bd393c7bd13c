"""django-payments tells of every status change through ``status_changed``
— from our payment page or from the provider's callback when the family
never comes back. The service decides whether it counts."""

from django.dispatch import receiver
from payments import PaymentStatus
from payments.signals import status_changed

from cms.signals import school_year_prepared
from workflows.constants import DossierState
from workflows.signals import dossier_closed

from .models import CardPayment


@receiver(status_changed, sender=CardPayment, dispatch_uid="billing_card_status_changed")
def card_status_changed(sender, instance: CardPayment, **kwargs) -> None:
    if instance.status == PaymentStatus.CONFIRMED:
        from .services import card_payment_confirmed

        card_payment_confirmed(card_payment_id=instance.pk)
        # The provider goes on with this very instance and may save it whole
        # (the dummy saves its fraud status): give it what the service wrote.
        instance.counted_at, instance.refusal = CardPayment.objects.filter(pk=instance.pk).values_list(
            "counted_at", "refusal"
        ).get()


@receiver(school_year_prepared, dispatch_uid="billing_tariffs_next_year")
def copy_tariffs_to_next_year(sender, from_year: str, to_year: str, **kwargs) -> None:
    from .services import tariffs_copy_to_year

    tariffs_copy_to_year(from_year=from_year, to_year=to_year)


@receiver(school_year_prepared, dispatch_uid="billing_services_next_year")
def copy_services_to_next_year(sender, page, from_year: str, to_year: str, **kwargs) -> None:
    from .services import services_copy_to_year

    services_copy_to_year(page=page, from_year=from_year, to_year=to_year)


@receiver(dossier_closed, dispatch_uid="billing_mandates_end_with_dossier")
def revoke_mandates_of_closed_dossier(sender, dossier, state: str, **kwargs) -> None:
    from .constants import RevocationReason
    from .services import mandates_revoke

    reason = RevocationReason.DOSSIER_REFUSED if state == DossierState.REFUSED else RevocationReason.DOSSIER_WITHDRAWN
    mandates_revoke(dossiers=[dossier], reason=reason)
