from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Like Django's permissions: after migrate, every event has an
        # editable message, seeded from the defaults (never overwritten).
        post_migrate.connect(_ensure_message_templates, sender=self)
        from . import checks  # noqa: F401 - registers the VAPID key check


def _ensure_message_templates(sender, apps=None, **kwargs) -> None:
    try:
        (apps or global_apps).get_model("notifications", "MessageTemplate")
    except LookupError:  # migrated backwards, before the table existed
        return
    from .services import message_templates_ensure

    message_templates_ensure()
