from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Démarches")

    def ready(self) -> None:
        from django.db.models.signals import post_delete
        from wagtail.signals import page_published, page_unpublished

        from forms.signals import submission_submitted

        from . import flows  # noqa: F401 — registers the flow with Viewflow
        from .models import ProcedurePage
        from .receivers import forget_procedure_choices, start_dossier_on_submission

        submission_submitted.connect(start_dossier_on_submission, dispatch_uid="workflows.start_dossier")
        for signal in (page_published, page_unpublished, post_delete):
            signal.connect(forget_procedure_choices, sender=ProcedurePage,
                           dispatch_uid=f"workflows.forget_procedure_choices.{id(signal)}")
