"""The dossier: what the school decides about one submitted form.

The family's answers and documents stay in ``forms.Submission``; a Dossier
adds the school's side — its state, the stages its procedure goes through
(copied from the form page when it was submitted, so that changing the page
later never changes a running dossier) and its history. The Viewflow
process only routes: its gates read the dossier.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from cms.school_year import school_year_of
from files.storage import private_storage

from ..constants import FINAL_STATES, DossierAction, DossierState, ExportFormat, ExportStatus


class Dossier(models.Model):
    reference = models.CharField(_("référence"), max_length=20, unique=True, null=True, blank=True)
    submission = models.OneToOneField(
        "inscrire_forms.Submission", verbose_name=_("réponses"), on_delete=models.PROTECT, related_name="dossier"
    )
    # Copied from the submission so that lists filter and sort without joins.
    family = models.ForeignKey("accounts.Family", on_delete=models.PROTECT, related_name="dossiers")
    child = models.ForeignKey("accounts.Child", on_delete=models.PROTECT, related_name="dossiers")
    school = models.ForeignKey("cms.School", on_delete=models.PROTECT, related_name="dossiers")
    state = models.CharField(
        _("état"), max_length=20, choices=DossierState.choices, default=DossierState.SUBMITTED, db_index=True
    )
    # The procedure's stages, compiled from its page when the dossier was
    # submitted (``workflows.stages``), with the group each review goes to.
    stages = models.JSONField(_("étapes"), default=list, blank=True)
    # The stage the dossier is at (a position in ``stages``); past the end
    # once it has gone through them all.
    stage_index = models.PositiveSmallIntegerField(_("étape en cours"), default=0)
    stage_started_at = models.DateTimeField(_("à cette étape depuis"), null=True, blank=True)
    # The group of the review the dossier is at (or was at last).
    review_group = models.ForeignKey(
        "workflows.ReviewerGroup", verbose_name=_("examiné par"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    routing_note = models.CharField(_("orientation"), max_length=255, blank=True)
    # « Prendre en charge »: the member of the current group who follows it.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pris en charge par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # Every group that examines it at one of its stages: who may see it.
    reviewer_groups = models.ManyToManyField(
        "workflows.ReviewerGroup", through="DossierReviewer", related_name="dossiers", blank=True,
    )
    # Read from the stages, kept as columns for the payment stage's lists.
    payment_required = models.BooleanField(_("paiement"), default=False)
    attestation_enabled = models.BooleanField(_("attestation"), default=False)

    submitted_at = models.DateTimeField(_("déposé le"), db_index=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("relancé le"), null=True, blank=True)
    # The answers as they were when the school last asked for a correction:
    # the reviewer sees what the family changed since.
    answers_at_request = models.JSONField(_("réponses à la demande de compléments"), null=True, blank=True,
                                          editable=False)
    # When the family was told of the confirmation (``dossier_confirmation_notify``):
    # the sweep sends what is still untold.
    confirmation_notified_at = models.DateTimeField(_("confirmation envoyée le"), null=True, blank=True)
    # « Nouveau message »: the oldest message of one side the other side has
    # not read yet — set when it is posted, cleared when the other side opens
    # the dossier (``dossier_messages_read``).
    unread_family_message_at = models.DateTimeField(_("message de la famille non lu depuis"), null=True, blank=True)
    unread_school_message_at = models.DateTimeField(_("message de l'école non lu depuis"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["school", "state", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.reference} — {self.child}"

    @property
    def current_stage(self) -> dict | None:
        return self.stages[self.stage_index] if 0 <= self.stage_index < len(self.stages) else None

    @property
    def stage_title(self) -> str:
        """Where it stands, as the family reads it (« Inscription en mairie »)."""
        stage = self.current_stage
        return stage["title"] if stage and self.state not in FINAL_STATES else ""

    @property
    def payment_open(self) -> bool:
        """Whether the family's payment pages answer: the dossier waits for
        payment, or went past its payment stage (confirmed, or at a review
        after it). Never for a refused or withdrawn dossier."""
        if not self.payment_required or self.state in (DossierState.REFUSED, DossierState.WITHDRAWN):
            return False
        if self.state in (DossierState.AWAITING_PAYMENT, DossierState.CONFIRMED):
            return True
        payment = next((i for i, s in enumerate(self.stages) if s["kind"] == "payment"), None)
        return payment is not None and self.stage_index > payment

    @property
    def decisions(self) -> list[str]:
        """What the review it waits for may decide."""
        stage = self.current_stage
        return list(stage.get("decisions") or []) if stage and stage["kind"] == "review" else []

    @property
    def school_year(self) -> str:
        """« 2026-2027 »: the school year it was filed for (``cms.school_year``)."""
        return school_year_of(self.submitted_at)


class DossierReviewer(models.Model):
    """A group that examines a dossier at one of its stages (resolved when
    it is submitted, again when the family corrects it): the dossiers a
    reviewer may see are those of his or her groups."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("workflows.ReviewerGroup", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("groupe d'instruction du dossier")
        constraints = [models.UniqueConstraint(fields=["dossier", "group"], name="dossier_reviewer_unique")]


class DossierOpinion(models.Model):
    """An opinion (« avis ») asked by a reviewer of another group or person,
    who answers in the dossier without deciding. Staff only: never shown to
    the family; its asking and its answer are in the audit."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="opinions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("demandé par"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    group = models.ForeignKey("workflows.ReviewerGroup", verbose_name=_("au groupe"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("à la personne"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    question = models.TextField(_("question"), max_length=5000)
    answer = models.TextField(_("avis"), blank=True, max_length=5000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rendu par"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    asked_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    answered_at = models.DateTimeField(_("rendu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = _("avis")
        ordering = ["asked_at", "pk"]
        constraints = [models.CheckConstraint(
            condition=models.Q(group__isnull=False) ^ models.Q(person__isnull=False), name="opinion_one_addressee")]

    def __str__(self) -> str:
        return f"{self.dossier.reference} — {self.group or self.person}"


class DossierEvent(models.Model):
    """One line of a dossier's history: who did what, when, with which
    comment. Staff reads are recorded too: it answers « who saw this child's
    data, and when »."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30, choices=DossierAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("par"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("commentaire"), blank=True)
    state = models.CharField(_("état après"), max_length=20, choices=DossierState.choices)
    from_school = models.BooleanField(_("de l'école"), default=False)
    document_name = models.CharField(_("document"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("événement du dossier")
        verbose_name_plural = _("historique des dossiers")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def author_label(self) -> str:
        """Who did it, as the family's history says it: a payment recorded
        by a finance agent is the finance service's, not the school's; one
        confirmed by the card provider is nobody's in particular."""
        if self.action in (DossierAction.PAYMENT_SETTLED, DossierAction.PAYMENT_REJECTED):
            return str(_("le service financier")) if self.actor_id else ""
        return str(_("l'école")) if self.from_school else ""


class DossierProcess(Process):
    """The Viewflow process of a dossier; the dossier is its artifact."""

    class Meta:
        proxy = True
        verbose_name = _("processus de dossier")

    @property
    def dossier(self) -> Dossier:
        return self.artifact


class DossierExport(models.Model):
    """An export of dossiers as a spreadsheet, built by a Huey task. It is
    also the audit line of the export: who exported what, and when."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandé par"), on_delete=models.PROTECT, related_name="+"
    )
    filters = models.JSONField(_("filtres"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=5, choices=ExportFormat.choices)
    status = models.CharField(_("état"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    total = models.PositiveIntegerField(_("dossiers"), default=0)
    done = models.PositiveIntegerField(_("dossiers traités"), default=0)
    file = models.FileField(_("fichier"), storage=private_storage, upload_to="exports/", blank=True)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("export de dossiers")
        verbose_name_plural = _("exports de dossiers")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        return 100 if self.status == ExportStatus.READY else (100 * self.done // self.total if self.total else 0)


class DossierCount(models.Model):
    """How many dossiers of one school, of one procedure, stand in one
    state — and whether their school's directors examine them (the
    directors' scope). Kept by the services in the same transaction as each
    creation, transition and deletion (``services._count_move``), so that
    the staff list's counts read a few rows instead of counting 100,000;
    ``manage.py repair_dossier_counts`` recomputes it from the dossiers."""

    school = models.ForeignKey("cms.School", on_delete=models.CASCADE, related_name="+")
    # The form page's id (``Submission.page_id``), 0 when the dossier has none:
    # a plain number, so that a deleted page does not move its rows.
    procedure_id = models.PositiveIntegerField(_("démarche"), default=0)
    state = models.CharField(_("état"), max_length=20, choices=DossierState.choices)
    # The dossier has a stage examined by its school's directors
    # (``DossierReviewer`` of the built-in group): directors see only those.
    directors = models.BooleanField(_("examiné par la direction"), default=True)
    count = models.IntegerField(_("nombre"), default=0)

    class Meta:
        verbose_name = _("compteur de dossiers")
        verbose_name_plural = _("compteurs de dossiers")
        constraints = [
            models.UniqueConstraint(fields=["school", "procedure_id", "directors", "state"],
                                    name="dossier_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.procedure_id}/{self.state}: {self.count}"
