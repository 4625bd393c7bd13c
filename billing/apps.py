from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    """Payments of dossiers: tariffs, SEPA mandates, card and cash payments,
    and the deadline engine.

    The package is ``billing``, not ``payments``: django-payments (the card
    payment layer) is installed as the top-level package ``payments``."""

    name = "billing"
    verbose_name = _("Paiements")

    def ready(self) -> None:
        from . import receivers  # noqa: F401
