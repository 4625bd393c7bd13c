"""The Wagtail admin of notifications: editors write the messages
(« Messages »), staff follow what was sent — e-mails and push notifications —
and resend failures (« Envois »)."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.models import FormState
from wagtail.admin.ui.tables import Column, DateColumn, UpdatedAtColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton, ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import PreviewOnCreateView, PreviewOnEditView, SnippetViewSet
from wagtail.utils.decorators import xframe_options_sameorigin_override

from . import services
from .constants import SENSITIVE_EVENTS, Status
from .models import MessageTemplate, Notification


class MessagePreviewMixin:
    """The preview of a message shows the text the editor is typing, even
    broken: then it lists what is wrong, at its line, in French. Wagtail's
    own preview keeps the last *valid* text and shows it as if it were the
    current one, which hides the error from whoever opens the preview."""

    TEXT_FIELDS = ("subject", "body", "push_text")

    def post(self, request, *args, **kwargs):
        self.remove_old_preview_data()
        form = self.get_form(request.POST)
        is_valid = self.validate_form(form)
        FormState.objects.update_or_create_by_instance(
            instance=self.object,
            parent_object_id=self.parent_object_id,
            user=request.user,
            defaults={"data": form.data.urlencode(), "last_updated_at": now()},
        )
        # "is_valid" tells Wagtail's panel whether to reload its preview: it
        # always should, the preview itself shows the errors.
        return JsonResponse({"is_valid": True, "is_available": True, "form_is_valid": is_valid})

    @method_decorator(xframe_options_sameorigin_override)
    def get(self, request, *args, **kwargs):
        form = self.get_form(self._get_form_data(self._get_form_state()))
        if self.validate_form(form):
            form.save(commit=False)
        elif form.is_bound:
            # The typed text, as typed (a field refused by the form is not
            # copied onto the instance by Django), and the form's errors.
            for field in self.TEXT_FIELDS:
                if field in form.data:
                    setattr(self.object, field, form.data[field])
            self.object.preview_errors = [
                f"{form.fields[name].label if name in form.fields else _('Message')} — {error}"
                for name, errors in form.errors.items()
                for error in errors
            ]
        return self.object.make_preview_request(request, self.object.default_preview_mode, self.get_extra_request_attrs())


class MessagePreviewOnEditView(MessagePreviewMixin, PreviewOnEditView):
    pass


class MessagePreviewOnCreateView(MessagePreviewMixin, PreviewOnCreateView):
    pass


class MessageTemplateViewSet(SnippetViewSet):
    model = MessageTemplate
    icon = "mail"
    menu_label = _("Messages")
    menu_name = "messages"
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["__str__", "subject", UpdatedAtColumn()]
    # One message per event, a short fixed list: all of them on one page.
    list_per_page = 100
    search_fields = ["subject", "body"]
    preview_on_edit_view_class = MessagePreviewOnEditView
    preview_on_add_view_class = MessagePreviewOnCreateView


register_snippet(MessageTemplateViewSet)


# --- What was sent ------------------------------------------------------------------------


class NotificationIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status == Status.FAILED and self.user_has_permission("change"):
            buttons.append(
                ListingButton(
                    _("Renvoyer"),
                    url=reverse("notification:resend", args=(instance.pk,)),
                    icon_name="resubmit",
                    priority=5,
                )
            )
        return buttons


class NotificationInspectView(InspectView):
    @cached_property
    def header_buttons(self):
        if self.object.status == Status.FAILED and self.user_has_permission("change"):
            return [HeaderButton(_("Renvoyer"), url=reverse("notification:resend", args=(self.object.pk,)), icon_name="resubmit")]
        return []

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if self.object.event in SENSITIVE_EVENTS:
            # A one-time link or a provisional password is no one else's to read.
            self.fields = [field for field in self.fields if field != "body_text"]


class NotificationResendView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then put a failed message back in the queue."""

    model = Notification
    permission_required = "change"
    template_name = "notifications/notification_resend.html"
    page_title = _("Renvoyer le message")
    header_icon = "mail"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(Notification, pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, index_url=reverse("notification:index"), **kwargs)

    def post(self, request, *args, **kwargs):
        if self.object.status != Status.FAILED:
            messages.error(request, _("Seul un message en échec peut être renvoyé."))
        else:
            services.notification_resend(notification=self.object)
            messages.success(request, _("Le message à %(recipient)s est renvoyé.") % {"recipient": self.object.recipient})
        return redirect("notification:index")


class NotificationViewSet(ModelViewSet):
    """Read-only: rows are written by notify(), never by hand."""

    model = Notification
    icon = "mail"
    menu_label = _("Envois")
    menu_order = 310
    add_to_admin_menu = True
    index_view_class = NotificationIndexView
    inspect_view_class = NotificationInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "created_at",
        "event",
        "channel",
        "recipient",
        "push_subscription",
        "user",
        "family_id",
        "status",
        "attempts",
        "last_error",
        "template_error",
        "next_attempt_at",
        "sent_at",
        "subject",
        "body_text",
        "link",
    ]
    copy_view_enabled = False
    # Written on every event: no reference-index task per row.
    add_to_reference_index = False
    list_display = [
        "subject",
        "recipient",
        Column("event", label=_("Événement"), accessor="get_event_display"),
        Column("channel", label=_("Canal"), accessor="get_channel_display"),
        Column("status", label=_("Statut"), accessor="get_status_display"),
        "attempts",
        "last_error",
        DateColumn("created_at", label=_("Créée le")),
    ]
    list_filter = ["status", "channel", "event"]
    search_fields = ["recipient", "subject"]
    ordering = ["-created_at", "-pk"]
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, "history_url_name": None, **kwargs}
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("resend/<int:pk>/", NotificationResendView.as_view(), name="resend"),
        ]


@hooks.register("register_admin_viewset")
def register_notification_viewset():
    return NotificationViewSet()
