"""The dossier filters of the staff workspace, shared by the list and the
exports so that an export is exactly what the screen shows."""

import django_filters
from django.core.cache import cache
from django import forms as django_forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.constants import SchoolLevel

from .constants import FINAL_STATES, DossierState
from .models import Dossier, ProcedurePage
from .stages import WAITING_KINDS


class DossierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Enfant ou famille"), method="search")
    state = django_filters.ChoiceFilter(label=_("État"), choices=DossierState.choices, empty_label=_("Tous"))
    level = django_filters.ChoiceFilter(label=_("Niveau"), field_name="child__level", choices=SchoolLevel.choices,
                                        empty_label=_("Tous"))
    school = django_filters.ModelChoiceFilter(label=_("École"), queryset=None, empty_label=_("Toutes"))
    submitted_from = django_filters.DateFilter(
        label=_("Déposé à partir du"), field_name="submitted_at", lookup_expr="date__gte",
        widget=django_forms.DateInput(attrs={"type": "date"}),
    )
    procedure = django_filters.ChoiceFilter(label=_("Démarche"), field_name="submission__page_id", choices=[],
                                            empty_label=_("Toutes"))
    stage = django_filters.ChoiceFilter(label=_("Étape"), method="at_stage", choices=[], empty_label=_("Toutes"))
    submitted_to = django_filters.DateFilter(
        label=_("Déposé jusqu'au"), field_name="submitted_at", lookup_expr="date__lte",
        widget=django_forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Dossier
        fields = []

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["school"].queryset = schools
        procedures, stages = procedure_choices()
        self.filters["procedure"].extra["choices"] = procedures
        self.filters["stage"].extra["choices"] = stages

    def at_stage(self, queryset, name, value):
        """Open dossiers waiting at one stage of one procedure."""
        page_id, _sep, index = value.partition("-")
        return queryset.filter(submission__page_id=int(page_id), stage_index=int(index)).exclude(
            state__in=FINAL_STATES)

    def search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(child__first_name__icontains=term)
                | Q(child__last_name__icontains=term)
                | Q(family__name__icontains=term)
                | Q(reference__icontains=term)
            )
        return queryset


PROCEDURE_CHOICES_KEY = "workflows:procedure-filter-choices"
PROCEDURE_CHOICES_SECONDS = 60 * 60


def procedure_choices() -> tuple[list, list]:
    """The live procedures and their waited-on stages, for the filters:
    read from the shared cache, which a publication, an unpublication or
    a deletion of a procedure empties (``receivers.forget_procedure_choices``),
    not on every page of the list."""

    def build():
        procedures = list(ProcedurePage.objects.live().order_by("title"))
        return (
            [(str(page.pk), page.title) for page in procedures],
            [(f"{page.pk}-{index}", f"{page.title} — {stage['title']}")
             for page in procedures for index, stage in enumerate(page.compiled_stages())
             if stage["kind"] in WAITING_KINDS],
        )

    return cache.get_or_set(PROCEDURE_CHOICES_KEY, build, PROCEDURE_CHOICES_SECONDS)


def procedure_choices_forget() -> None:
    cache.delete(PROCEDURE_CHOICES_KEY)


def filtered_dossiers(*, dossiers, params, schools) -> tuple[DossierFilter, object]:
    """Apply the workspace filters (a QueryDict or dict) to ``dossiers``;
    ``schools`` are the choices of the school filter."""
    filterset = DossierFilter(params or None, queryset=dossiers, schools=schools.order_by("name"))
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else dossiers
    return filterset, queryset.order_by("-submitted_at", "-pk")


def active_filters(filterset: DossierFilter) -> dict:
    """The filters the person set (empty for the whole list)."""
    if not (filterset.is_bound and filterset.is_valid()):
        return {}
    return {name: value for name, value in filterset.form.cleaned_data.items() if value not in (None, "")}
