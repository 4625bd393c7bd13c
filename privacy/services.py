"""Retention and erasure. Periods come from settings (RETENTION_*): what is
past its period is removed or anonymised, and nothing else."""

from __future__ import annotations

import datetime as dt
import json
import logging
import zipfile
from io import BytesIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Child, Consent, Family
from billing.constants import RevocationReason
from billing.selectors import bill_records, payment_records
from billing.reservations import family_documents_erase
from billing.services import mandates_revoke
from cms.school_year import school_year_end
from forms.models import Submission
from notifications.constants import Event
from notifications.constants import Status as NotificationStatus
from notifications.models import Notification
from notifications.services import notify
from workflows.constants import STAFF_ONLY, DossierState
from workflows.models import Dossier, DossierEvent
from workflows.services import dossier_withdraw

from .models import RetentionRun

logger = logging.getLogger(__name__)

ANONYMOUS = "—"


def _months_ago(now: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(now.month - 1 - months, 12)
    day = min(now.day, 28)
    return now.replace(year=now.year + year, month=month + 1, day=day)


def _delete_documents(documents) -> list[str]:
    removed = []
    for document in documents:
        name, storage = document.file.name, document.file.storage
        removed.append(str(document.public_id))
        document.delete()
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    return removed


def _anonymise_dossier(dossier: Dossier) -> int:
    """Erase a dossier's answers, documents and comments; its state and
    dates stay for the school's statistics. Returns the documents removed."""
    submission = dossier.submission
    removed = _delete_documents(submission.documents.all())
    Submission.objects.filter(pk=submission.pk).update(answers={})
    DossierEvent.objects.filter(dossier=dossier).exclude(comment="").update(comment=ANONYMOUS)
    return len(removed)


def retention_apply(*, now: dt.datetime | None = None) -> RetentionRun:
    """One pass of the retention rules; returns (and stores) what it removed."""
    now = now or timezone.now()
    details: list[dict] = []
    documents_deleted = dossiers_anonymised = drafts_deleted = 0

    # 1. Documents of closed dossiers, N months after the end of their school year.
    months = settings.RETENTION_DOCUMENTS_MONTHS_AFTER_SCHOOL_YEAR
    closed = Dossier.objects.filter(state__in=[DossierState.CONFIRMED, DossierState.REFUSED, DossierState.WITHDRAWN])
    for dossier in closed.filter(submission__documents__isnull=False).distinct().select_related("submission"):
        limit = school_year_end(dossier.school_year) + dt.timedelta(days=1)
        if _months_ago(now, months).date() >= limit:
            with transaction.atomic():
                removed = _delete_documents(dossier.submission.documents.all())
            documents_deleted += len(removed)
            details.append({"rule": "documents", "dossier": dossier.reference, "documents": len(removed)})

    # 2. Refused and withdrawn dossiers anonymised M months after they closed.
    cutoff = _months_ago(now, settings.RETENTION_CLOSED_DOSSIERS_MONTHS)
    stale = Dossier.objects.filter(
        state__in=[DossierState.REFUSED, DossierState.WITHDRAWN], closed_at__lte=cutoff
    ).exclude(submission__answers={}).select_related("submission")
    for dossier in stale:
        with transaction.atomic():
            documents_deleted += _anonymise_dossier(dossier)
        dossiers_anonymised += 1
        details.append({"rule": "dossier", "dossier": dossier.reference})

    # 3. Drafts never submitted, abandoned for K months.
    abandoned = Submission.objects.filter(
        status="draft", dossier__isnull=True,
        updated_at__lte=_months_ago(now, settings.RETENTION_ABANDONED_DRAFTS_MONTHS),
    )
    for submission in abandoned:
        with transaction.atomic():
            _delete_documents(submission.documents.all())
            submission.delete()
        drafts_deleted += 1
        details.append({"rule": "draft", "submission": str(submission.public_id)})

    run = RetentionRun.objects.create(
        documents_deleted=documents_deleted, dossiers_anonymised=dossiers_anonymised,
        drafts_deleted=drafts_deleted, details=details,
    )
    logger.info(
        "Retention: %d documents deleted, %d dossiers anonymised, %d drafts deleted",
        documents_deleted, dossiers_anonymised, drafts_deleted,
    )
    return run


# --- A family's own data --------------------------------------------------------------------------


def family_data_archive(*, family: Family) -> bytes:
    """Everything the portal holds about a family, as a ZIP: ``donnees.json``
    and the documents it uploaded."""
    guardians = list(family.guardians.all())
    data = {
        "famille": {
            "nom": family.name, "adresse": family.address, "code_postal": family.postal_code,
            "commune": family.commune, "telephone": family.phone, "autre_telephone": family.phone_alt,
            "ecoles": [str(s) for s in family.schools.all()], "creee_le": family.created_at,
        },
        "responsables": [
            {"prenom": g.first_name, "nom": g.last_name, "email": g.email, "inscrit_le": g.date_joined}
            for g in guardians
        ],
        "enfants": [
            {"prenom": c.first_name, "nom": c.last_name, "date_de_naissance": c.birth_date,
             "niveau": c.get_level_display() if c.level else ""}
            for c in family.children.all()
        ],
        "acceptations": [
            {"document": c.title, "version": c.version, "accepte_le": c.accepted_at}
            for c in Consent.objects.filter(family=family)
        ],
        "dossiers": [],
        "factures": bill_records(family=family),
        "messages_recus": [
            {"objet": n.subject or n.get_event_display(), "texte": n.body_text, "envoye_le": n.sent_at or n.created_at}
            for n in Notification.objects.filter(family_id=family.pk)
        ],
    }
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for submission in family.submissions.select_related("child", "school").prefetch_related("documents"):
            dossier = Dossier.objects.filter(submission=submission).first()
            entry = {
                "demarche": submission.form_title,
                "enfant": str(submission.child),
                "ecole": str(submission.school) if submission.school else "",
                "etat": dossier.get_state_display() if dossier else submission.get_status_display(),
                "reference": dossier.reference if dossier else "",
                "reponses": submission.answers,
                "documents": [],
                "historique": [],
            }
            if dossier:
                entry["historique"] = [
                    {"le": e.created_at, "action": e.get_action_display(), "commentaire": e.comment}
                    for e in dossier.events.exclude(action__in=STAFF_ONLY)
                ]
            if dossier:
                payment, signed = payment_records(dossier=dossier)
                if payment is not None:
                    records = {record["reference"]: record for record in payment["mandats"]}
                    for mandate in signed:
                        record = records[mandate.reference]
                        extension = mandate.signed_document.name.rsplit(".", 1)[-1]
                        path = f"paiements/{submission.public_id}/mandat-{mandate.reference}.{extension}"
                        try:
                            with mandate.signed_document.open("rb") as handle:
                                archive.writestr(path, handle.read())
                        except FileNotFoundError:
                            continue
                        record["mandat_signe"] = path
                    entry["paiement"] = payment
            for document in submission.documents.all():
                path = f"documents/{submission.public_id}/{document.field_name}-{document.original_name}"
                try:
                    with document.file.open("rb") as handle:
                        archive.writestr(path, handle.read())
                except FileNotFoundError:
                    continue
                entry["documents"].append(path)
            data["dossiers"].append(entry)
        archive.writestr(
            "donnees.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
        )
    return buffer.getvalue()


class DeletionRefused(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def family_delete(*, family: Family, by) -> None:
    """Delete a family's account at its request. What the schools must keep
    (that a dossier existed, its state and dates, for their statistics) is
    kept without a name; everything personal is erased; every guardian's
    login stops working."""
    if by.family_id != family.pk:
        raise DeletionRefused(_("Ce compte n'est pas le vôtre."))
    User = get_user_model()
    with transaction.atomic():
        # First the money: no debit is exported after this (confirmed
        # dossiers included), and the finance workspace lists the mandates.
        revoked = mandates_revoke(dossiers=Dossier.objects.filter(family=family),
                                  reason=RevocationReason.ACCOUNT_DELETED)
        withdrawn = 0
        for dossier in Dossier.objects.filter(family=family, state__in=[
            DossierState.SUBMITTED, DossierState.CORRECTION, DossierState.AWAITING_PAYMENT,
        ]):
            dossier_withdraw(dossier=dossier, by=by, reason=_("Compte supprimé à la demande de la famille."))
            withdrawn += 1
        for dossier in Dossier.objects.filter(family=family).select_related("submission"):
            _anonymise_dossier(dossier)
        for submission in Submission.objects.filter(family=family, dossier__isnull=True):
            _delete_documents(submission.documents.all())
            submission.delete()
        for child in Child.objects.filter(family=family):
            # The year of birth stays for the schools' statistics by age.
            child.first_name = child.last_name = ANONYMOUS
            child.birth_date = child.birth_date.replace(month=1, day=1)
            child.save()
        Consent.objects.filter(family=family).delete()
        family_documents_erase(family=family)
        # Messages not sent yet (the withdrawals just made among them) are
        # dropped rather than sent blank: the confirmation below says it all.
        Notification.objects.filter(family_id=family.pk, status=NotificationStatus.PENDING).delete()
        Notification.objects.filter(family_id=family.pk).update(body_text="", body_html="", subject=ANONYMOUS,
                                                                  render_input=None)
        guardians = list(User.objects.filter(family=family, is_active=True))
        family_name = family.name
        for guardian in guardians:
            # The confirmation carries its address on the outbox row, tied
            # to no account and no family: it goes out though both are gone.
            notify(event=Event.ACCOUNT_DELETED, recipient=guardian.email, key=f"family-{family.pk}",
                   context={"user": guardian, "family": {"name": family_name, "commune": family.commune},
                            "link": settings.SITE_URL, "withdrawn_count": withdrawn,
                            "mandates_revoked": len(revoked)})
        for guardian in User.objects.filter(family=family):
            guardian.email = f"supprime-{guardian.pk}@invalid.invalid"
            guardian.first_name = guardian.last_name = ""
            guardian.is_active = False
            guardian.set_unusable_password()
            guardian.save()
        Family.objects.filter(pk=family.pk).update(
            name=ANONYMOUS, address="", postal_code="", commune="", phone="", phone_alt=""
        )
