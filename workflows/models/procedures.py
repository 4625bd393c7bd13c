"""The procedure (« démarche »): the page editors build in Wagtail — the
form families fill in (the form builder's ``AbstractFormPage``), the stages
its dossiers go through, and its own wording. Nothing below this app
imports it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from copy import deepcopy

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modelcluster.fields import ParentalKey
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index
from wagtail.utils.decorators import cached_classmethod

from cms.school_year import SCHOOL_YEAR, plus_one_year, school_year_of
from forms.names import settle_names
from forms.pages import AbstractFormPage, Standing
from notifications.constants import Event
from notifications.rendering import template_problems

from .. import stages as stage_rules
from ..blocks import StageStreamBlock

# Keys of the form's questions that hold a date bound: they move with the year.
DATE_KEYS = {"min_date", "max_date"}

# Compiled stage lists by the JSON of the blocks they come from (the stages
# and the form, whose labels the conditions name): the same blocks always
# compile to the same list, so each process compiles a published version
# once instead of at every submission. Bounded; a new version is a new key.
_COMPILED: dict[str, list[dict]] = {}
_COMPILED_MAX = 256


class ProcedurePage(AbstractFormPage):
    """A procedure families file one dossier per child for: the enrolment
    for a school year, the canteen, after-school care, a request for a
    school outside the sector…

    Build its form in « Formulaire » with steps and questions; each question
    can be pre-filled from the family's profile and shown only when an
    earlier answer says so. Families can fill it in only between the
    opening and closing dates; outside them, the page shows the texts
    below. « Étapes du dossier » lists, in order, what happens to a dossier
    once it is filed: reviews by the groups you choose, the payment, the
    attestation. « Messages » replaces, for this procedure only, the
    portal's e-mails."""

    stages = StreamField(
        StageStreamBlock(), verbose_name=gettext_lazy("étapes du dossier"), blank=True,
        help_text=gettext_lazy("Dans l'ordre. Sans étape, un dossier déposé est aussitôt confirmé."),
    )

    content_panels = AbstractFormPage.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("opens_at"), FieldPanel("closes_at"), FieldPanel("before_opening_text"),
             FieldPanel("after_closing_text")],
            heading=gettext_lazy("Dates d'ouverture"),
        ),
        FieldPanel("schools"),
        FieldPanel("form"),
        FieldPanel("rename_technical_names"),
        FieldPanel("confirmation_text"),
        FieldPanel("previous_year_page"),
    ]
    stage_panels = [FieldPanel("stages")]
    message_panels = [
        InlinePanel("messages", heading=gettext_lazy("Messages de cette démarche"),
                    label=gettext_lazy("Message"),
                    help_text=gettext_lazy("Chaque message remplace, pour cette démarche, celui de « Messages ». "
                                           "Variables en plus : {{ procedure.name }}, {{ answers.<nom technique> }}.")),
    ]
    search_fields = AbstractFormPage.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage", "cms.HelpIndexPage"]
    subpage_types = []

    preview_modes = AbstractFormPage.preview_modes + [("messages", gettext_lazy("Les messages de la démarche"))]

    # « Préparer l'année suivante » (cms) offers itself on this page.
    school_year_rollover = True

    class Meta:
        verbose_name = gettext_lazy("formulaire de démarche")
        verbose_name_plural = gettext_lazy("formulaires de démarche")

    @cached_classmethod
    def get_edit_handler(cls):  # noqa: N805 - Wagtail's own signature
        """The page's tabs; apps above this one add theirs (the payment
        stage's fees, from billing) with the ``procedure_page_tabs`` hook:
        each returns ``(heading, panels)``."""
        tabs = [
            ObjectList(cls.content_panels, heading=gettext_lazy("Formulaire")),
            ObjectList(cls.stage_panels, heading=gettext_lazy("Étapes du dossier")),
            ObjectList(cls.message_panels, heading=gettext_lazy("Messages")),
        ]
        for hook in hooks.get_hooks("procedure_page_tabs"):
            heading, panels = hook()
            tabs.append(ObjectList(panels, heading=heading))
        tabs += [
            ObjectList(cls.promote_panels, heading=gettext_lazy("Promotion")),
            ObjectList(cls.settings_panels, heading=gettext_lazy("Paramètres")),
        ]
        from ..admin_forms import ProcedurePageForm

        return TabbedInterface(tabs, base_form_class=ProcedurePageForm).bind_to_model(cls)

    # --- What the workflow reads -------------------------------------------------------------

    @property
    def school_year(self) -> str:
        """The school year written in the title (« Inscriptions 2026-2027 »),
        else the one enrolment opens for now."""
        found = SCHOOL_YEAR.search(self.title or "")
        return f"{found[1]}-{found[3]}" if found else school_year_of()

    def compiled_stages(self) -> list[dict]:
        """The stages as dossiers keep them (``workflows.stages``), a copy the
        caller may change. Reviewer groups are ids: a group deleted since is
        dropped where the dossier's groups are read (``_route_stages``)."""
        blocks = json.dumps([list(self.stages.raw_data), list(self.form.raw_data)], cls=DjangoJSONEncoder)
        key = hashlib.sha256(blocks.encode()).hexdigest()
        stages = _COMPILED.get(key)
        if stages is None:
            stages = stage_rules.compile_stages(self.stages, self.get_definition())
            if len(_COMPILED) >= _COMPILED_MAX:
                _COMPILED.clear()
            _COMPILED[key] = stages
        return deepcopy(stages)

    def submitted_message(self, submission) -> str:
        """What the family reads once it has filed ``submission``: the stage
        its dossier now waits at, from the dossier's own copy of the stages."""
        from .dossiers import Dossier

        row = Dossier.objects.filter(submission=submission).values_list("stages", "stage_index").first()
        if row is None:
            return super().submitted_message(submission)
        stages, index = row
        if index >= len(stages):
            return _("Dossier déposé et confirmé. Vous le retrouvez ici.")
        return _("Dossier déposé. Prochaine étape : « %(stage)s ». Vous suivez son avancement ici.") % {
            "stage": stages[index]["title"]}

    def submission_standing(self, submission) -> Standing:
        """A filed dossier's real state (refused, withdrawn, awaiting
        payment…), not the form builder's « Déposé »."""
        from ..constants import DossierState
        from .dossiers import Dossier

        dossier = Dossier.objects.filter(submission=submission).only("state").first()
        if dossier is None:
            return super().submission_standing(submission)
        return Standing(str(dossier.get_state_display()), dossier.state,
                        dossier.state == DossierState.SUBMITTED)

    def family_notice(self, submission) -> str:
        """While the family corrects its dossier: what the school asked."""
        from ..constants import DossierAction, DossierState
        from .dossiers import DossierEvent

        event = (DossierEvent.objects.filter(dossier__submission=submission, dossier__state=DossierState.CORRECTION,
                                             action=DossierAction.CORRECTION_REQUESTED)
                 .order_by("-created_at", "-pk").first())
        return event.comment if event is not None else ""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        family = context.get("family")
        if family is not None:
            from ..selectors import dossiers_by_submission

            context["dossiers"] = dossiers_by_submission(
                family=family, submission_ids=[row.submission.pk for row in context["rows"] if row.submission])
        return context

    def follow_up(self, submission) -> tuple[str, str] | None:
        """The dossier the submission opened: its number, shown as soon as
        it is filed, and its follow-up page."""
        from django.urls import reverse

        from .dossiers import Dossier

        dossier = Dossier.objects.filter(submission=submission).only("reference").first()
        if dossier is None:
            return None
        return dossier.reference, reverse("dossiers:family_dossier", args=[submission.public_id])

    def message_for(self, event: str) -> "ProcedureMessage | None":
        return next((message for message in self.messages.all() if message.event == event), None)

    # --- The editor's preview of the messages -------------------------------------------------

    def serve_preview(self, request, mode_name):
        if mode_name != "messages":
            return super().serve_preview(request, mode_name)
        from django.template.response import TemplateResponse

        from ..messages import procedure_previews

        return TemplateResponse(request, "workflows/messages_preview.html",
                                {"page": self, "previews": procedure_previews(page=self)})

    # --- « Préparer l'année suivante » -------------------------------------------------------

    def prepare_next_school_year(self, *, previous) -> None:
        """Called by « Préparer l'année suivante » on next year's copy: the
        dates move a year on, so do the date bounds of the questions, and
        re-enrolments read the answers given on ``previous``, under the
        technical names it used."""
        self.opens_at = plus_one_year(self.opens_at) if self.opens_at else None
        self.closes_at = plus_one_year(self.closes_at) if self.closes_at else None
        self.form = _shift_form_dates(deepcopy(list(self.form.raw_data)))
        settle_names(self.form, {})  # the names this year answered under, written in: a relabel keeps them
        self.previous_year_page = previous if isinstance(previous, ProcedurePage) else None


def _shift_form_dates(value):
    """Date bounds of the form's questions (a birth date that fits the
    level…) move with the year."""
    if isinstance(value, dict):
        shifted = {}
        for key, item in value.items():
            if key in DATE_KEYS and isinstance(item, str) and item:
                try:
                    shifted[key] = plus_one_year(dt.date.fromisoformat(item)).isoformat()
                    continue
                except ValueError:
                    pass
            shifted[key] = _shift_form_dates(item)
        return shifted
    if isinstance(value, list):
        return [_shift_form_dates(item) for item in value]
    return value


def dossier_events() -> list[tuple[str, str]]:
    """The events about a dossier, which a procedure may word its own way."""
    from notifications.variables import EVENT_VARIABLES

    return [(event.value, event.label) for event in Event if "dossier" in EVENT_VARIABLES.get(event, {})]


class ProcedureMessage(Orderable):
    """One e-mail of a procedure, worded for it: its subject and text
    replace, for this procedure's dossiers, those of « Messages »."""

    page = ParentalKey(ProcedurePage, on_delete=models.CASCADE, related_name="messages")
    event = models.CharField(gettext_lazy("événement"), max_length=50, choices=dossier_events)
    subject = models.CharField(gettext_lazy("objet"), max_length=255)
    body = models.TextField(gettext_lazy("texte"), max_length=20_000)

    panels = [FieldPanel("event"), FieldPanel("subject"), FieldPanel("body")]

    class Meta(Orderable.Meta):
        verbose_name = gettext_lazy("message de la démarche")
        verbose_name_plural = gettext_lazy("messages de la démarche")
        constraints = [models.UniqueConstraint(fields=["page", "event"], name="procedure_message_one_per_event")]

    def __str__(self) -> str:
        return str(self.get_event_display())

    def clean(self) -> None:
        super().clean()
        from ..messages import procedure_sample_context

        if not self.event:
            return
        sample = procedure_sample_context(event=self.event, page=getattr(self, "page", None))
        errors = {}
        for field in ("subject", "body"):
            problems = template_problems(getattr(self, field) or "", sample)
            if problems:
                errors[field] = [str(problem) for problem in problems]
        if errors:
            raise ValidationError(errors)
