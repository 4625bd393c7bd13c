"""Reads of dossiers, always scoped to who asks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role

from .constants import DossierAction, DossierState, ValidationRole
from .models import Dossier, DossierEvent


def is_workspace_user(user) -> bool:
    """Directors and finance agents (and administrators) have a workspace."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=[Role.DIRECTOR.value, Role.FINANCE.value]).exists()


def dossiers_for_staff(*, user) -> QuerySet[Dossier]:
    """The dossiers a member of staff may see: directors those of their
    schools; finance agents those whose procedure they validate or that
    involve a payment; administrators all."""
    if not (user.is_authenticated and user.is_active):
        return Dossier.objects.none()
    base = Dossier.objects.select_related("child", "family", "school", "submission")
    if user.is_superuser:
        return base
    groups = set(user.groups.values_list("name", flat=True))
    scope = Q(pk__in=[])
    if Role.DIRECTOR.value in groups:
        scope |= Q(school__in=user.directed_schools.values("pk"))
    if Role.FINANCE.value in groups:
        scope |= Q(payment_required=True) | Q(validation_role=ValidationRole.FINANCE)
    return base.filter(scope)


def dossier_for_staff(*, user, pk: int) -> Dossier | None:
    return dossiers_for_staff(user=user).filter(pk=pk).first()


def can_decide(*, user, dossier: Dossier) -> bool:
    if user.is_superuser:
        return True
    if dossier.validation_role == ValidationRole.FINANCE:
        return user.groups.filter(name=Role.FINANCE.value).exists()
    return dossier.school.directors.filter(pk=user.pk).exists()


def dossier_for_family(*, user, submission) -> Dossier | None:
    if not user.is_authenticated or not user.family_id or submission.family_id != user.family_id:
        return None
    return Dossier.objects.filter(submission=submission).select_related("school", "child").first()


def waiting_count(*, user) -> int:
    return dossiers_for_staff(user=user).filter(state=DossierState.SUBMITTED).count()


def history(*, dossier: Dossier, include_reads: bool) -> QuerySet[DossierEvent]:
    events = dossier.events.select_related("actor")
    if not include_reads:
        events = events.exclude(action__in=[DossierAction.VIEWED, DossierAction.DOCUMENT_VIEWED])
    return events


@dataclass(frozen=True)
class ExpectedAction:
    label: str
    url_name: str | None = None


def expected_family_action(*, dossier: Dossier | None, submission) -> ExpectedAction:
    """The one thing the family should do now."""
    if dossier is None:
        return ExpectedAction(_("Compléter et déposer le dossier"), "dossiers:detail")
    if dossier.state == DossierState.CORRECTION:
        return ExpectedAction(_("Corriger le dossier et le déposer à nouveau"), "dossiers:detail")
    if dossier.state == DossierState.AWAITING_PAYMENT:
        return ExpectedAction(_("Régler le paiement"))
    return ExpectedAction(_("Rien : l'école s'occupe de votre dossier") if dossier.state == DossierState.SUBMITTED
                          else _("Rien"))
