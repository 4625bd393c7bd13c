from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths a person with a provisional password may still open.
_ALLOWED_PREFIXES = ("/static/", "/media/", "/favicon")


class ProvisionalPasswordMiddleware:
    """A family whose account a school created signs in with a provisional
    password and must choose its own before doing anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = (reverse("accounts:password_change"), reverse("accounts:logout"))
            if request.path not in allowed and not request.path.startswith(_ALLOWED_PREFIXES):
                messages.warning(
                    request,
                    _("Votre mot de passe est provisoire : choisissez votre propre mot de passe pour continuer."),
                )
                return redirect("accounts:password_change")
        return self.get_response(request)
