"""Reads of the notifications app: the in-app copy of what was sent (the
e-mails: the message of record; a push is only its echo on a device), and
the devices a person turned push notifications on for."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from . import push
from .constants import SENSITIVE_EVENTS, Channel
from .models import Notification, PushSubscription


def notifications_for(*, about) -> QuerySet[Notification]:
    """Every message about one object (a dossier), oldest first: its history."""
    return Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(about), object_id=str(about.pk), channel=Channel.EMAIL
    ).order_by("created_at", "pk")


def notifications_for_family(*, family) -> QuerySet[Notification]:
    """What the family was sent, newest first: « Mes dossiers ». Account
    messages (one-time links, passwords) are not part of it."""
    return Notification.objects.filter(family_id=family.pk, channel=Channel.EMAIL).exclude(event__in=SENSITIVE_EVENTS)


def notifications_for_user(*, user) -> QuerySet[Notification]:
    """What this person may read in the portal: the messages sent to them,
    and those sent to their family (to the other guardian too), newest first."""
    mine = Q(user=user)
    if getattr(user, "family_id", None):
        mine |= Q(family_id=user.family_id)
    return Notification.objects.filter(mine, channel=Channel.EMAIL).exclude(event__in=SENSITIVE_EVENTS)


def push_available() -> bool:
    """Whether devices can be turned on: the portal has its VAPID keys.
    Without them, « Mon compte » does not offer it."""
    return push.enabled()


def push_public_key() -> str:
    """The key a browser subscribes with (``applicationServerKey``)."""
    return settings.WEBPUSH_VAPID_PUBLIC_KEY if push.enabled() else ""


def push_devices_for(*, user) -> QuerySet[PushSubscription]:
    """The devices where this person turned notifications on, newest first."""
    return PushSubscription.objects.filter(user=user).order_by("-created_at", "-pk")
