"""One flow serves every procedure: its gates read the stages the form page
chose (copied onto the dossier). Decisions are made by services, which
record them on the dossier and then complete the waiting task; the flow only
routes."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from .constants import DossierState
from .models import DossierProcess


def _state(activation) -> str:
    return activation.process.dossier.state


class DossierFlow(flow.Flow):
    process_class = DossierProcess
    # A decision takes the process row with SELECT … FOR UPDATE (waiting, not
    # failing, when another is deciding); on SQLite, IMMEDIATE transactions
    # already serialise writers. Viewflow's default is no lock at all.
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    process_title = _("Dossier")

    start = flow.StartHandle(this.start_process).Annotation(title=_("Dépôt du dossier")).Next(this.needs_validation)

    needs_validation = (
        flow.If(lambda activation: activation.process.dossier.validation_required)
        .Annotation(title=_("Validation prévue ?"))
        .Then(this.validate)
        .Else(this.needs_payment)
    )

    validate = flow.Handle().Annotation(title=_("Validation par la structure")).Next(this.route_decision)

    route_decision = (
        flow.Switch()
        .Annotation(title=_("Décision"))
        .Case(this.correct, lambda activation: _state(activation) == DossierState.CORRECTION)
        .Case(this.refused, lambda activation: _state(activation) == DossierState.REFUSED)
        .Default(this.needs_payment)
    )

    correct = flow.Handle().Annotation(title=_("Compléments par la famille")).Next(this.validate)

    needs_payment = (
        flow.If(lambda activation: activation.process.dossier.payment_required)
        .Annotation(title=_("Paiement prévu ?"))
        .Then(this.await_payment)
        .Else(this.confirmed)
    )

    await_payment = flow.Handle().Annotation(title=_("En attente de paiement")).Next(this.confirmed)

    confirmed = flow.End().Annotation(title=_("Confirmé"))
    refused = flow.End().Annotation(title=_("Refusé"))

    def start_process(self, activation, dossier):
        activation.process.artifact = dossier
        return activation.process
