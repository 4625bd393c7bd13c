"""Dossiers (« submissions ») and their documents.

A dossier is what one family files for one child on one form page. It keeps
the form's definition as it was when the dossier was opened (its snapshot)
and the answers as typed JSON, so that editing the form later never changes
or breaks it. Documents are files on the *private* storage, served only through ``files.responses``, after the permission check of
the dossier's document page.
"""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from files.storage import private_storage, random_name

from .constants import SubmissionStatus


def document_upload_to(instance: "Document", filename: str) -> str:
    # Never the family's file name: it is kept in ``original_name`` only.
    return random_name(f"dossiers/{instance.submission.public_id}", filename)


class SubmissionQuerySet(models.QuerySet):
    def of_family(self, family_id: int | None):
        return self.filter(family_id=family_id) if family_id else self.none()


class Submission(models.Model):
    """One child's dossier on one form: a draft while the family fills it
    in, then submitted and handed over to the enrolment workflow."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The form page (an ``AbstractFormPage``): Wagtail's ``Page``, as
    # Wagtail's own form submissions do, so that the form builder never
    # names the page type that composes it.
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("formulaire"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="dossier_submissions",
    )
    form_title = models.CharField(_("titre du formulaire"), max_length=255)
    family = models.ForeignKey(
        "accounts.Family", verbose_name=_("famille"), on_delete=models.CASCADE, related_name="submissions"
    )
    child = models.ForeignKey(
        "accounts.Child", verbose_name=_("enfant"), on_delete=models.CASCADE, related_name="submissions"
    )
    school = models.ForeignKey(
        "cms.School", verbose_name=_("école"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="submissions",
    )
    status = models.CharField(
        _("état"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT, db_index=True
    )
    definition = models.JSONField(_("définition du formulaire"), default=dict, encoder=DjangoJSONEncoder)
    answers = models.JSONField(_("réponses"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    current_step = models.PositiveSmallIntegerField(_("étape en cours"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ouvert par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("ouvert le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    reopened_at = models.DateTimeField(
        _("rouvert le"), null=True, blank=True,
        help_text=_("Rouvert par l'école pour des compléments : modifiable même après la clôture."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("déposé par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-updated_at"]
        constraints = [
            # One dossier per child and per form (a family with three children files three).
            models.UniqueConstraint(fields=["page", "child"], name="submission_one_per_child_and_form"),
        ]

    def __str__(self) -> str:
        return f"{self.form_title} — {self.child}"

    @property
    def is_draft(self) -> bool:
        return self.status == SubmissionStatus.DRAFT

    @property
    def is_editable(self) -> bool:
        """A draft the family may change now: the form is open, or the
        school sent it back for corrections."""
        if not self.is_draft:
            return False
        if self.reopened_at is not None:
            return True
        return self.page is not None and self.page.live and self.page.specific.is_open()


class Document(models.Model):
    """A document joined to a dossier (birth certificate, proof of address…),
    kept on private storage under a random name."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(
        Submission, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="documents"
    )
    field_name = models.CharField(_("question"), max_length=60)
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(_("nom du fichier"), max_length=120)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("déposé par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(fields=["submission", "field_name"], name="document_one_per_question"),
        ]

    def __str__(self) -> str:
        return self.original_name
