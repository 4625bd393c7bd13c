"""Reads of the notifications app: the in-app copy of what was sent."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from .constants import SENSITIVE_EVENTS
from .models import Notification


def notifications_for(*, about) -> QuerySet[Notification]:
    """Every message about one object (a dossier), oldest first: its history."""
    return Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(about), object_id=str(about.pk)
    ).order_by("created_at", "pk")


def notifications_for_family(*, family) -> QuerySet[Notification]:
    """What the family was sent, newest first: « Mes dossiers ». Account
    messages (one-time links, passwords) are not part of it."""
    return Notification.objects.filter(family_id=family.pk).exclude(event__in=SENSITIVE_EVENTS)


def notifications_for_user(*, user) -> QuerySet[Notification]:
    """What this person may read in the portal: the messages sent to them,
    and those sent to their family (to the other guardian too), newest first."""
    mine = Q(user=user)
    if getattr(user, "family_id", None):
        mine |= Q(family_id=user.family_id)
    return Notification.objects.filter(mine).exclude(event__in=SENSITIVE_EVENTS)
