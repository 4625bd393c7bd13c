from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Démarches")

    def ready(self) -> None:
        from forms.signals import submission_submitted

        from . import flows  # noqa: F401 — registers the flow with Viewflow
        from .receivers import start_dossier_on_submission

        submission_submitted.connect(start_dossier_on_submission, dispatch_uid="workflows.start_dossier")
