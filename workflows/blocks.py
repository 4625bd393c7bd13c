"""The stages of a procedure, as editors compose them on its page: an
ordered StreamField of « Examen » (a review by a group), « Paiement » and
« Attestation » blocks. Adding a stage needs no code and no migration: the
page compiles its blocks into a plain list (``workflows.stages``) that each
dossier keeps, and one generic flow walks it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks, hooks
from wagtail.snippets.blocks import SnippetChooserBlock

from forms.blocks import ClauseBlock, ConditionBlock
from forms.constants import ConditionMatch

from .constants import Decision, Routing


def payment_service_choices() -> list[tuple[str, str]]:
    """The services a payment stage may ask for, from the app that bills
    them (the ``payment_services`` Wagtail hook): this app never imports it."""
    choices: list[tuple[str, str]] = []
    for hook in hooks.get_hooks("payment_services"):
        choices += list(hook())
    return choices


class StageConditionBlock(ConditionBlock):
    match = blocks.ChoiceBlock(label=_("L'étape a lieu seulement si"), choices=ConditionMatch.choices,
                               default=ConditionMatch.ALL)
    clauses = blocks.ListBlock(ClauseBlock(), label=_("Conditions"), min_num=0,
                               help_text=_("Aucune : l'étape a toujours lieu."))

    class Meta:
        label = _("Condition de l'étape")
        form_classname = "struct-block condition-block"
        collapsed = True


class ReviewStageBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        label=_("Titre de l'étape"), max_length=120,
        help_text=_("Ce que la famille voit, par exemple « Inscription en mairie » ou « Admission par l'école »."),
    )
    groups = blocks.ListBlock(
        SnippetChooserBlock("workflows.ReviewerGroup"), label=_("Examinée par"), min_num=1,
        help_text=_("Un groupe, ou plusieurs : le dossier va au premier qui le couvre (voir ci-dessous)."),
    )
    routing = blocks.ChoiceBlock(label=_("Quel groupe examine le dossier"), choices=Routing.choices,
                                 default=Routing.SCHOOL)
    routing_question = blocks.CharBlock(
        label=_("Question qui donne la commune"), required=False,
        help_text=_("Pour « la commune donnée en réponse » : nom ou libellé de la question (l'adresse de la "
                    "famille, par exemple)."),
    )
    fallback = SnippetChooserBlock(
        "workflows.ReviewerGroup", label=_("Sinon, le groupe"), required=False,
        help_text=_("Reçoit les dossiers qu'aucun groupe ne couvre ; la liste des dossiers dit pourquoi."),
    )
    decisions = blocks.MultipleChoiceBlock(
        label=_("Décisions possibles"), choices=Decision.choices, default=[d.value for d in Decision],
    )
    condition = StageConditionBlock()
    delay_days = blocks.IntegerBlock(
        label=_("Délai (jours)"), required=False, min_value=1, max_value=365,
        help_text=_("Au-delà, le dossier est signalé au groupe. Vide : le délai de validation de l'école."),
    )

    class Meta:
        label = _("Examen")
        icon = "user"


class PaymentStageBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre de l'étape"), max_length=120, default=_("Paiement"))
    services = blocks.MultipleChoiceBlock(
        label=_("Services à payer"), choices=payment_service_choices,
        help_text=_("Les services que la famille peut régler pour ce dossier, et eux seuls."),
    )
    condition = StageConditionBlock()

    class Meta:
        label = _("Paiement")
        icon = "tag"


class AttestationStageBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        label=_("Titre du document"), max_length=120, required=False,
        help_text=_("Vide : celui de Paramètres › Attestation d'inscription."),
    )
    body = blocks.TextBlock(
        label=_("Texte"), required=False,
        help_text=_("Vide : celui de Paramètres › Attestation d'inscription. Mots remplacés : {enfant}, "
                    "{date_naissance}, {ecole}, {commune}, {annee_scolaire}, {reference}, {famille}, {date}, "
                    "{demarche}."),
    )
    signature = blocks.CharBlock(label=_("Signature"), max_length=200, required=False)

    class Meta:
        label = _("Attestation")
        icon = "doc-full"
        help_text = _("Produite quand le dossier est confirmé, et jointe au message de confirmation.")


class StageStreamBlock(blocks.StreamBlock):
    review = ReviewStageBlock()
    payment = PaymentStageBlock()
    attestation = AttestationStageBlock()

    class Meta:
        block_counts = {"attestation": {"max_num": 1}, "payment": {"max_num": 1}}
