"""The one place where the form builder hands over to the workflow."""

from . import filters, services


def start_dossier_on_submission(sender, submission, **kwargs) -> None:
    services.dossier_open(submission=submission)


def forget_procedure_choices(sender, **kwargs) -> None:
    """A procedure published, unpublished or deleted: the staff list's
    filters read the procedures and their stages again."""
    filters.procedure_choices_forget()
