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

from . import stages as stage_rules


class ProcedurePageForm(WagtailAdminPageForm):
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
