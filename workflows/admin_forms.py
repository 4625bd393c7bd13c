"""The procedure page's editor form: the stages are checked against the
form they follow (a condition on a question that does not exist, a review
routed by a question that is not asked…), each reason shown next to its
stage."""

from __future__ import annotations

from django.forms.utils import ErrorList
from wagtail.admin.forms.pages import WagtailAdminPageForm
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.blocks.stream_block import StreamBlockValidationError

from forms.definition import definition_from_stream, definition_problems

from cms.school_year import SCHOOL_YEAR, school_year_of

from . import stages as stage_rules


def _school_year(title: str) -> str:
    found = SCHOOL_YEAR.search(title or "")
    return f"{found[1]}-{found[3]}" if found else school_year_of()


class ProcedurePageForm(WagtailAdminPageForm):
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

    def clean(self):
        cleaned = super().clean()
        form_stream, stage_stream = cleaned.get("form"), cleaned.get("stages")
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
