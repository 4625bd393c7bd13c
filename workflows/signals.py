"""Signals of the procedure layer.

``dossier_closed`` is sent inside the transaction that refuses or withdraws
a dossier, with ``sender=Dossier``, ``dossier=<the dossier>`` and ``state``
(the state it closed in). The payment layer connects to it to revoke the
dossier's SEPA mandates: a refusal or a withdrawal has no caller in the
payment layer, and the procedure layer never imports it.
"""

from django.dispatch import Signal

dossier_closed = Signal()
