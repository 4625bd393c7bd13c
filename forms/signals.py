"""Signals of the form builder.

``submission_submitted`` is sent inside the transaction that marks a dossier
submitted, with ``sender=Submission`` and ``submission=<the dossier>``. The
enrolment workflow connects to it to start its process; the form builder
never imports the workflow.
"""

from django.dispatch import Signal

submission_submitted = Signal()
