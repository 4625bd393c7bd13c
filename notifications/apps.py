from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Like Django's permissions: after migrate, every event has an
        # editable message, seeded from the defaults (never overwritten).
        post_migrate.connect(_ensure_message_templates, sender=self)


def _ensure_message_templates(sender, **kwargs) -> None:
    from .services import message_templates_ensure

    message_templates_ensure()
