"""Signals of the form builder.

``submission_submitted`` is sent inside the transaction that marks a dossier
submitted, with ``sender=Submission`` and ``submission=<the dossier>``. The
enrolment workflow connects to it to start its process; the form builder
never imports the workflow.
"""

from django.dispatch import Signal

submission_submitted = Signal()

# Sent when someone other than the family (a director) reads a document
# through /dossiers/documents/<id>/, with ``sender=Document``,
# ``document=`` and ``user=``: the workflow records it in the dossier's audit trail.
document_read_by_staff = Signal()
