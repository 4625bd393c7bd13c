"""The attestation d'inscription of a confirmed dossier, and the text editors
write for it (« Paramètres › Attestation d'inscription »). It belongs to the
confirmation: a procedure with « attestation » makes one when a dossier is
confirmed, and the confirmation e-mail carries it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from files.storage import private_storage, random_name

from ..attestation import template_problem
from .dossiers import Dossier


def attestation_upload_to(instance, filename: str) -> str:
    return random_name("attestations", filename, allowed={"pdf"}, default="pdf")


@register_setting(icon="doc-full")
class AttestationSettings(BaseGenericSetting):
    """Le texte de l'attestation d'inscription remise aux familles quand un
    dossier est confirmé. Les mots entre accolades sont remplacés :
    {enfant}, {date_naissance}, {ecole}, {commune}, {annee_scolaire},
    {reference}, {famille}, {date}."""

    title = models.CharField(_("titre"), max_length=120, default="Attestation d'inscription")
    body = models.TextField(
        _("texte"),
        default=(
            "Nous attestons que l'enfant {enfant}, né(e) le {date_naissance}, est inscrit(e) à l'école "
            "{ecole} ({commune}) pour l'année scolaire {annee_scolaire}.\n\n"
            "Dossier n° {reference} — famille {famille}.\n\n"
            "Fait le {date}, pour servir et valoir ce que de droit."
        ),
        help_text=_("Mots remplacés : {enfant}, {date_naissance}, {ecole}, {commune}, {annee_scolaire}, "
                    "{reference}, {famille}, {date}."),
    )
    signature = models.CharField(_("signature"), max_length=200, default="Le service des inscriptions", blank=True)

    panels = [FieldPanel("title"), FieldPanel("body"), FieldPanel("signature")]

    class Meta:
        verbose_name = _("attestation d'inscription")

    def clean(self) -> None:
        problem = template_problem(self.body)
        if problem:
            raise ValidationError({"body": problem})


class Attestation(models.Model):
    """The « attestation d'inscription » PDF of a confirmed dossier."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="attestation")
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=attestation_upload_to, max_length=255)
    generated_at = models.DateTimeField(_("générée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("attestation d'inscription")
        verbose_name_plural = _("attestations d'inscription")

    def __str__(self) -> str:
        return f"{self.dossier.reference}"
