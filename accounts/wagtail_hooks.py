from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views, selectors


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("familles/inviter/", admin_views.invite_family, name="accounts_invite_family"),
        path("familles/invitations/<int:pk>/renvoyer/", admin_views.invitation_resend,
             name="accounts_invitation_resend"),
    ]


class InviteFamilyMenuItem(MenuItem):
    def is_shown(self, request):
        # By role (no query on every admin page); the page itself refuses a
        # director who has no school yet.
        return selectors.may_invite_families(user=request.user)


@hooks.register("register_admin_menu_item")
def register_invite_family_menu_item():
    return InviteFamilyMenuItem(
        _("Inviter une famille"), reverse("accounts_invite_family"), icon_name="user", order=210
    )
