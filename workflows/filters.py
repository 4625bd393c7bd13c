"""The dossier filters of the staff workspace, shared by the list and the
exports so that an export is exactly what the screen shows."""

import django_filters
from django import forms as django_forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.constants import SchoolLevel

from .constants import DossierState
from .models import Dossier


class DossierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Enfant ou famille"), method="search")
    state = django_filters.ChoiceFilter(label=_("État"), choices=DossierState.choices)
    level = django_filters.ChoiceFilter(label=_("Niveau"), field_name="child__level", choices=SchoolLevel.choices)
    school = django_filters.ModelChoiceFilter(label=_("École"), queryset=None)
    submitted_from = django_filters.DateFilter(
        label=_("Déposé à partir du"), field_name="submitted_at", lookup_expr="date__gte",
        widget=django_forms.DateInput(attrs={"type": "date"}),
    )
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

    def search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(child__first_name__icontains=term)
                | Q(child__last_name__icontains=term)
                | Q(family__name__icontains=term)
                | Q(reference__icontains=term)
            )
        return queryset


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
