"""Wagtail admin: staff (editors, directors) create a family's account and
send it a provisional password, and send it again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.formats import date_fr

from . import selectors, services
from .forms import StaffFamilyInviteForm


def invite_family(request):
    schools = selectors.invitable_schools(user=request.user)
    if not schools.exists():
        raise PermissionDenied
    form = StaffFamilyInviteForm(request.POST if request.method == "POST" else None, schools=schools)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.family_invite(invited_by=request.user, **form.cleaned_data)
        except services.AccountError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("Compte créé pour %(email)s : l'identifiant et le mot de passe provisoire lui sont envoyés par "
                  "e-mail (valables jusqu'au %(date)s).")
                % {"email": invitation.user.email, "date": date_fr(invitation.expires_at)},
            )
            return redirect("accounts_invite_family")
    return TemplateResponse(
        request,
        "accounts/admin/invite_family.html",
        {
            "form": form,
            "page_title": _("Inviter une famille"),
            "header_title": _("Inviter une famille"),
            "header_icon": "user",
            "invitations": selectors.account_invitations_for(user=request.user)[:50],
            "now": timezone.now(),
        },
    )


@require_POST
def invitation_resend(request, pk: int):
    """« Renvoyer »: a new provisional password for an invitation of one of
    the schools the staff member serves (others are a 404)."""
    invitation = get_object_or_404(selectors.account_invitations_for(user=request.user), pk=pk)
    try:
        resent = services.family_invite_resend(invitation=invitation, by=request.user)
    except services.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Invitation renvoyée à %(email)s : un nouveau mot de passe provisoire lui est envoyé (valable jusqu'au "
              "%(date)s).") % {"email": resent.user.email, "date": date_fr(resent.expires_at)},
        )
    return redirect("accounts_invite_family")
