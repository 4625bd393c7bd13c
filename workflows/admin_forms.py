"""The procedure page's editor form: the stages are checked against the
form they follow (a condition on a question that does not exist, a review
routed by a question that is not asked…), each reason shown next to its
stage."""

from __future__ import annotations

from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _, ngettext
from wagtail.admin.forms.pages import WagtailAdminPageForm
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.blocks.stream_block import StreamBlockValidationError

from forms.definition import definition_from_stream, definition_problems
from forms.names import Rename, published_names, settle_names
from forms.selectors import dossier_count

from cms.school_year import SCHOOL_YEAR, school_year_of

from . import stages as stage_rules


def _school_year(title: str) -> str:
    found = SCHOOL_YEAR.search(title or "")
    return f"{found[1]}-{found[3]}" if found else school_year_of()


def _nested_error(path: tuple[int, ...], field: str, message: str) -> StreamBlockValidationError:
    """An error on one field of a question, however deep it sits in the
    form's stream (step → question → question of a group)."""
    error: ValidationError = StructBlockValidationError(block_errors={field: ValidationError(message)})
    for index in reversed(path[1:]):
        error = StructBlockValidationError(block_errors={"fields": StreamBlockValidationError(
            block_errors={index: error})})
    return StreamBlockValidationError(block_errors={path[0]: error})


def _merge(errors: list[StreamBlockValidationError]) -> StreamBlockValidationError:
    """One stream error holding several (Wagtail shows one per field)."""
    def merge(a, b):
        if isinstance(a, StreamBlockValidationError) and isinstance(b, StreamBlockValidationError):
            blocks = dict(a.block_errors)
            for index, error in b.block_errors.items():
                blocks[index] = merge(blocks[index], error) if index in blocks else error
            return StreamBlockValidationError(block_errors=blocks)
        if isinstance(a, StructBlockValidationError) and isinstance(b, StructBlockValidationError):
            blocks = dict(a.block_errors)
            for name, error in b.block_errors.items():
                blocks[name] = merge(blocks[name], error) if name in blocks else error
            return StructBlockValidationError(block_errors=blocks)
        return a

    merged = errors[0]
    for error in errors[1:]:
        merged = merge(merged, error)
    return merged


class ProcedurePageForm(WagtailAdminPageForm):
    rename_technical_names = django_forms.BooleanField(
        label=_("Renommer les noms techniques"), required=False,
        help_text=_("Une question publiée garde son nom technique quand son libellé change. Cochez pour "
                    "enregistrer les noms que vous avez changés : les réponses déjà déposées restent sous "
                    "l'ancien nom (une autre colonne de l'export, pas de reprise à la réinscription)."),
    )

    def is_valid(self):
        """The procedure's own messages are checked on its own sample
        dossier — its questions as ``answers`` — once the page and its
        messages are clean (the page's form is needed to build it)."""
        return super().is_valid() and self._messages_are_valid()

    def _messages_are_valid(self) -> bool:
        from notifications.rendering import template_problems

        from .messages import procedure_sample_context

        formset = self.formsets.get("messages")
        if formset is None:
            return True
        definition = definition_from_stream(self.cleaned_data["form"])
        stages = stage_rules.compile_stages(self.cleaned_data["stages"], definition)
        title = self.cleaned_data.get("title", "")
        valid = True
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not data.get("event"):
                continue
            sample = procedure_sample_context(event=data["event"], definition=definition, title=title,
                                              school_year=_school_year(title), stages=stages)
            for field in ("subject", "body"):
                problems = template_problems(data.get(field) or "", sample)
                if problems:
                    form.add_error(field, [str(problem) for problem in problems])
                    valid = False
        return valid

    def _settle_technical_names(self, form_stream) -> None:
        """Names written into the blocks, the published ones kept; a
        published name changed is refused next to it unless the editor
        ticked « Renommer les noms techniques »."""
        page = self.instance
        published = {}
        if page.pk and page.first_published_at:
            live = type(page).objects.filter(pk=page.pk).only("form").first()
            published = published_names(live.form) if live else {}
        renames = settle_names(form_stream, published)
        if renames and not self.cleaned_data.get("rename_technical_names"):
            count = dossier_count(page_id=page.pk)
            self.add_error("form", _merge([_nested_error(r.path, "name", self._rename_message(r, count))
                                           for r in renames]))

    @staticmethod
    def _rename_message(rename: Rename, count: int) -> str:
        return ngettext(
            "« %(label)s » répond sous le nom « %(old)s » depuis la publication : %(count)s dossier, l'export "
            "et la réinscription l'utilisent. Pour le renommer « %(new)s », cochez « Renommer les noms "
            "techniques » sous le formulaire ; sinon, videz le champ pour garder « %(old)s ».",
            "« %(label)s » répond sous le nom « %(old)s » depuis la publication : %(count)s dossiers, l'export "
            "et la réinscription l'utilisent. Pour le renommer « %(new)s », cochez « Renommer les noms "
            "techniques » sous le formulaire ; sinon, videz le champ pour garder « %(old)s ».",
            count,
        ) % {"label": rename.label, "old": rename.published, "new": rename.edited, "count": count}

    def clean(self):
        cleaned = super().clean()
        form_stream, stage_stream = cleaned.get("form"), cleaned.get("stages")
        if form_stream is not None:
            self._settle_technical_names(form_stream)
        if form_stream is None or stage_stream is None:
            return cleaned  # their own errors are shown already
        definition = definition_from_stream(form_stream)
        if definition_problems(definition):
            return cleaned
        from .models import ReviewerGroup

        stages = stage_rules.compile_stages(stage_stream, definition)
        groups = {g.pk: g for g in ReviewerGroup.objects.filter(pk__in=stage_rules.group_ids(stages))}
        problems = stage_rules.stage_problems(stages, definition, groups=groups)
        if problems:
            self.add_error("stages", StreamBlockValidationError(block_errors={
                index: StructBlockValidationError(non_block_errors=ErrorList(messages))
                for index, messages in problems.items()
            }))
        return cleaned
