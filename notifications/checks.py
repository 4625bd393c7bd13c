"""System checks: the two VAPID keys must be one pair, or every push would
be refused by the push services (401/403) while e-mails go on as usual."""

from django.conf import settings
from django.core.checks import Error, register

from . import push


@register()
def webpush_keys_check(app_configs, **kwargs) -> list[Error]:
    if not push.enabled():
        return []
    try:
        public = push.public_key_of(settings.WEBPUSH_VAPID_PRIVATE_KEY)
    except Exception as error:  # noqa: BLE001 - any unreadable key is reported the same way
        return [Error(f"WEBPUSH_VAPID_PRIVATE_KEY cannot be read: {error}", id="notifications.E001")]
    if public != settings.WEBPUSH_VAPID_PUBLIC_KEY:
        return [
            Error(
                "WEBPUSH_VAPID_PUBLIC_KEY is not the public half of WEBPUSH_VAPID_PRIVATE_KEY.",
                hint="Generate a pair with manage.py webpush_keys and set both.",
                id="notifications.E002",
            )
        ]
    return []
