from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.models import PreviewableMixin

from . import rendering, variables
from .formats import readable
from .constants import PUSH_EXCLUDED_EVENTS, Channel, Event, Status

BODY_MAX_LENGTH = rendering.MAX_SOURCE_LENGTH
# What the editor writes for a push message; what is shown is cut at
# rendering.PUSH_MAX_LENGTH (a lock screen shows two or three lines).
PUSH_SOURCE_MAX_LENGTH = 500


class VariablesPanel(HelpPanel):
    """Lists, beside the editor's text, the variables its event offers."""

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if self.instance.event in variables.EVENT_VARIABLES:
                self.content = format_html(
                    "<p>{}</p><ul>{}</ul>",
                    _("Variables de ce message :"),
                    format_html_join(
                        "",
                        "<li><code>{{{{ {} }}}}</code> — {}</li>",
                        (
                            (name, variable.description)
                            for name, variable in variables.variables_for(self.instance.event).items()
                        ),
                    ),
                )


class MessageTemplate(PreviewableMixin, models.Model):
    """Le texte d'un message envoyé par le portail.

    Un modèle par événement (dossier déposé, correction demandée, rappel de
    paiement…). Écrivez l'objet et le texte comme un e-mail ordinaire ; les
    passages entre ``{{ }}`` sont remplacés par les informations du dossier,
    par exemple ``{{ child.first_name }}``, ``{{ due_date|date_fr }}`` (« 20
    décembre 2026 ») ou ``{{ amount|montant }}`` (« 45,50 € »). ``{% if … %}``
    et ``{% for … %}`` sont permis. L'aperçu montre le message sur un dossier
    d'exemple ; une erreur est signalée à l'enregistrement, avec sa ligne.
    Sans modèle pour un événement, le texte par défaut est envoyé.
    """

    event = models.CharField(_("événement"), max_length=50, choices=Event.choices, unique=True)
    subject = models.CharField(
        _("objet"), max_length=255, help_text=_("Une ligne. Les variables sont permises, par exemple {{ child.first_name }}.")
    )
    body = models.TextField(
        _("texte"),
        max_length=BODY_MAX_LENGTH,
        help_text=_(
            "Texte simple : les lignes vides séparent les paragraphes, les adresses deviennent des liens dans "
            "la version HTML. Dates : {{ due_date|date_fr }} ; montants : {{ amount|montant }}."
        ),
    )
    push_text = models.TextField(
        _("notification sur le téléphone"),
        max_length=PUSH_SOURCE_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Une ou deux phrases, envoyées avec l'e-mail aux téléphones où la famille a activé les "
            "notifications. Elles s'affichent sur l'écran verrouillé : pas de nom de famille ni de détail "
            "personnel. Mêmes variables que le texte. Vide : pas de notification pour cet événement."
        ),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    panels = [
        FieldPanel("event"),
        FieldPanel("subject"),
        FieldPanel("body"),
        FieldPanel("push_text"),
        VariablesPanel(),
    ]

    class Meta:
        verbose_name = _("modèle de message")
        verbose_name_plural = _("modèles de messages")
        ordering = ["event"]

    def __str__(self) -> str:
        return str(self.get_event_display())

    def clean(self) -> None:
        super().clean()
        if self.event not in variables.EVENT_VARIABLES:
            return
        sample = variables.sample_context(self.event)
        errors = {}
        for field in ("subject", "body", "push_text"):
            problems = rendering.template_problems(getattr(self, field) or "", sample)
            if problems:
                errors[field] = [str(problem) for problem in problems]
        if self.push_text.strip() and self.event in PUSH_EXCLUDED_EVENTS:
            errors.setdefault("push_text", []).append(
                str(_("Ce message contient un lien à usage unique ou un mot de passe : il n'est jamais envoyé en "
                      "notification. Laissez ce champ vide."))
            )
        if errors:
            raise ValidationError(errors)

    # --- Preview on a sample dossier ------------------------------------------------

    preview_modes = [("", _("Message"))]

    def get_preview_template(self, request, mode_name):
        return "notifications/message_template_preview.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        if self.event not in variables.EVENT_VARIABLES:
            return context
        sample = variables.sample_context(self.event)
        sources = ((_("Objet"), self.subject), (_("Texte"), self.body), (_("Notification"), self.push_text))
        # What the preview view found wrong with the form (the typed text
        # refused at its line, in French), else what is wrong with the text.
        problems = getattr(self, "preview_errors", None) or [
            f"{label} — {problem}"
            for label, source in sources
            for problem in rendering.template_problems(source or "", sample)
        ]
        if not problems:
            subject = rendering.render_subject(self.subject, sample)
            body = rendering.render(self.body, sample)
            # The body as the e-mail's HTML part shows it: paragraphs, links.
            context.update(subject=subject, body=body, body_html=rendering.html_body(body))
            if self.push_text.strip() and self.event not in PUSH_EXCLUDED_EVENTS:
                context.update(push_title=settings.WAGTAIL_SITE_NAME, push_text=rendering.render_push(self.push_text, sample))
        shown = [
            {
                "name": name,
                "description": variable.description,
                "fields": [(key, readable(value)) for key, value in variable.sample.items()]
                if isinstance(variable.sample, dict)
                else None,
                "items": [readable(item) for item in variable.sample] if isinstance(variable.sample, list) else None,
                "text": readable(variable.sample),
            }
            for name, variable in variables.variables_for(self.event).items()
        ]
        context.update(problems=problems, variables=shown, sample=sample)
        return context


class PushSubscription(models.Model):
    """One device (one browser on it) where a person turned notifications on
    from « Mon compte ». The endpoint and keys come from the browser's Push
    API; the push service answers 404 or 410 once the browser dropped the
    subscription, and the row is then removed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
    )
    # One browser subscription belongs to one person: a second account
    # signing in on the same phone and turning notifications on takes it over.
    endpoint = models.CharField(_("adresse du service de notification"), max_length=1000, unique=True)
    p256dh = models.CharField(_("clé publique de l'appareil"), max_length=200)
    auth = models.CharField(_("secret d'authentification"), max_length=100)
    label = models.CharField(_("appareil"), max_length=100, blank=True)
    user_agent = models.CharField(_("navigateur"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("activé le"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("dernier envoi réussi"), null=True, blank=True)

    class Meta:
        verbose_name = _("appareil abonné aux notifications")
        verbose_name_plural = _("appareils abonnés aux notifications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.label or self.endpoint[:60]


class Notification(models.Model):
    """The outbox: one row per event, recipient and channel (the e-mail, and
    one push row per device of the recipient), written in the same
    transaction as the event, delivered by a Huey task after commit; the
    periodic sweep re-enqueues whatever a dead consumer left behind. Push
    rows go through exactly the same claim, backoff and sweep as e-mails."""

    key = models.CharField(
        _("clé"), max_length=200, unique=True, help_text=_("Unique par événement et destinataire.")
    )
    event = models.CharField(_("événement"), max_length=50, choices=Event.choices)
    recipient = models.EmailField(_("destinataire"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    # The family whose area shows the message (« Mes dossiers »), by id:
    # this app depends on no other app of the project, and a family's
    # erasure (privacy) empties its rows itself.
    family_id = models.BigIntegerField(_("famille"), null=True, blank=True, db_index=True)
    # What the message is about (a dossier, usually), for its history.
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    about = GenericForeignKey("content_type", "object_id")

    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # A push row's device; emptied when the device is removed (the row stays,
    # for the record, and is not sent).
    push_subscription = models.ForeignKey(
        PushSubscription,
        verbose_name=_("appareil"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    # Rendered by the delivery task, before the first attempt, from
    # ``render_input``; empty until then.
    subject = models.CharField(_("objet"), max_length=255)
    body_text = models.TextField(_("texte"))
    # What the message is rendered from, kept until the worker renders it:
    # the event's variables as plain data (``variables.context_to_json``) and
    # a procedure's own wording. Emptied once the message is rendered.
    render_input = models.JSONField(_("données du message"), null=True, blank=True, editable=False)
    # Where a push message leads when touched (a page of the portal).
    link = models.CharField(_("lien"), max_length=500, blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    template_error = models.TextField(
        _("erreur du modèle"), blank=True, help_text=_("Le modèle des éditeurs n'a pas pu servir : le texte par défaut est parti.")
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("prise en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        if self.channel == Channel.PUSH:
            return f"{self.get_event_display()} → {self.recipient} ({self.push_subscription or _('appareil retiré')})"
        return f"{self.get_event_display()} → {self.recipient}"

    @property
    def message_id(self) -> str:
        """Deterministic, so a message sent twice is recognisable as one."""
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ")
        return f"<notification-{self.pk}@{domain}>"


class NotificationAttachment(models.Model):
    """A file sent with a notification (the attestation of a confirmed
    enrolment). Kept in the database so that it is written in the same
    transaction as its notification."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("nom du fichier"), max_length=255)
    mimetype = models.CharField(_("type"), max_length=100)
    content = models.BinaryField(_("contenu"))

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.filename
