"""One flow runs every procedure, whatever its stages: the dossier keeps
its procedure's list of stages and the position it is at; the decisions
(services) move it and then complete the task that was waiting, and one
switch sends the process to what the dossier now waits for. Adding a stage
to a page needs no code and no migration."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from .constants import DossierState
from .models import DossierProcess


def _waits_for(activation) -> str:
    return activation.process.dossier.state


class DossierFlow(flow.Flow):
    process_class = DossierProcess
    # A decision takes the process row with SELECT … FOR UPDATE (waiting, not
    # failing, when another is deciding); on SQLite, IMMEDIATE transactions
    # already serialise writers. Viewflow's default is no lock at all.
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    process_title = _("Dossier")

    start = flow.StartHandle(this.start_process).Annotation(title=_("Dépôt du dossier")).Next(this.dispatch)

    # Where the dossier stands, as the last decision left it: one task a pass.
    dispatch = (
        flow.Switch()
        .Annotation(title=_("Étape suivante"))
        .Case(this.review, lambda activation: _waits_for(activation) == DossierState.SUBMITTED)
        .Case(this.correct, lambda activation: _waits_for(activation) == DossierState.CORRECTION)
        .Case(this.await_payment, lambda activation: _waits_for(activation) == DossierState.AWAITING_PAYMENT)
        .Case(this.refused, lambda activation: _waits_for(activation) == DossierState.REFUSED)
        .Default(this.confirmed)
    )

    review = flow.Handle().Annotation(title=_("Examen")).Next(this.dispatch)
    correct = flow.Handle().Annotation(title=_("Compléments par la famille")).Next(this.dispatch)
    await_payment = flow.Handle().Annotation(title=_("En attente de paiement")).Next(this.dispatch)

    confirmed = flow.End().Annotation(title=_("Confirmé"))
    refused = flow.End().Annotation(title=_("Refusé"))

    def start_process(self, activation, dossier):
        activation.process.artifact = dossier
        return activation.process
