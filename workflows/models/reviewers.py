"""Reviewer groups: who examines the dossiers of a procedure's review
stages. Editors define them (« Groupes d'instruction »): a mairie's school
service, a commission, the school nurse — named people, and the schools or
communes they cover. Two are built in and resolve per dossier: the
directors of the dossier's school, and the finance agents."""

from __future__ import annotations

import unicodedata
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from accounts.constants import Role

from ..constants import GroupKind


def normalise_commune(name: str) -> str:
    """« Sainte-Luce », « sainte luce », « STE-LUCE »… compare as one."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode("ascii").lower()
    text = " ".join(text.replace("-", " ").replace("'", " ").split())
    for short, long in (("ste ", "sainte "), ("st ", "saint ")):
        if text.startswith(short):
            text = long + text[len(short):]
    return text


class ReviewerGroup(index.Indexed, ClusterableModel):
    """Un groupe qui examine des dossiers : par exemple « Service scolaire —
    Mairie de Sainte-Luce » ou « Commission des dérogations ». Choisissez-le
    dans les étapes « Examen » d'une démarche. Ses membres voient et
    décident les dossiers des étapes qui lui sont confiées, dans les écoles
    ou communes qu'il couvre (vide : toutes)."""

    name = models.CharField(_("nom"), max_length=120, unique=True)
    kind = models.CharField(_("qui"), max_length=20, choices=GroupKind.choices, default=GroupKind.MEMBERS,
                            help_text=_("« La direction de l'école du dossier » et « Les agents financiers » "
                                        "sont prédéfinis : leurs membres se déduisent du dossier."))
    members = ParentalManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("membres"), blank=True,
                                      related_name="reviewer_groups")
    schools = ParentalManyToManyField("cms.School", verbose_name=_("écoles couvertes"), blank=True,
                                      related_name="reviewer_groups")
    communes = models.CharField(
        _("communes couvertes"), max_length=500, blank=True,
        help_text=_("Séparées par des virgules, par exemple : Sainte-Luce, Rivière-Pilote. Vide, avec aucune école : "
                    "toutes."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("kind", read_only=True),
        FieldPanel("members"),
        MultiFieldPanel([FieldPanel("schools"), FieldPanel("communes")], heading=_("Ce que le groupe couvre")),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("groupe d'instruction")
        verbose_name_plural = _("groupes d'instruction")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def commune_names(self) -> set[str]:
        return {normalise_commune(c) for c in self.communes.split(",") if c.strip()}

    @cached_property
    def school_ids(self) -> set[int]:
        """The schools the group covers, by id (``with_school_ids`` reads
        them for many groups in one query)."""
        if "schools" in getattr(self, "_prefetched_objects_cache", {}):
            return {s.pk for s in self.schools.all()}
        return set(self.schools.values_list("pk", flat=True))

    @classmethod
    def with_school_ids(cls, groups: list["ReviewerGroup"]) -> list["ReviewerGroup"]:
        """``groups`` with the ids of the schools each covers, read at once."""
        found: dict[int, set[int]] = {group.pk: set() for group in groups}
        for group_id, school_id in cls.schools.through.objects.filter(reviewergroup_id__in=found).values_list(
                "reviewergroup_id", "school_id"):
            found[group_id].add(school_id)
        for group in groups:
            group.__dict__["school_ids"] = found[group.pk]
        return groups

    @property
    def is_built_in(self) -> bool:
        return self.kind != GroupKind.MEMBERS

    def covers(self, *, school, commune: str = "") -> bool:
        """Whether a dossier of ``school`` (with ``commune`` from its answers,
        when the stage routes by answer) is within this group's scope."""
        school_ids = self.school_ids
        communes = self.commune_names
        if not school_ids and not communes:
            return True
        if school is not None and school.pk in school_ids:
            return True
        wanted = normalise_commune(commune or (school.commune if school is not None else ""))
        return bool(wanted) and wanted in communes

    def has_member(self, user, *, school) -> bool:
        """Whether ``user`` examines for this group a dossier of ``school``."""
        if not (user.is_authenticated and user.is_active):
            return False
        if self.kind == GroupKind.SCHOOL_DIRECTORS:
            return school is not None and school.directors.filter(pk=user.pk).exists()
        if self.kind == GroupKind.FINANCE:
            return user.has_role(Role.FINANCE)
        return self.members.filter(pk=user.pk).exists()

    def recipients(self, *, school):
        """The active people who examine for this group a dossier of ``school``."""
        from django.contrib.auth import get_user_model

        if self.kind == GroupKind.SCHOOL_DIRECTORS:
            return school.directors.filter(is_active=True) if school is not None else get_user_model().objects.none()
        if self.kind == GroupKind.FINANCE:
            return get_user_model().objects.filter(groups__name=Role.FINANCE.value, is_active=True)
        return self.members.filter(is_active=True)
