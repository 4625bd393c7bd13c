"""The one place where the form builder hands over to the workflow."""

from . import services


def start_dossier_on_submission(sender, submission, **kwargs) -> None:
    services.dossier_open(submission=submission)
