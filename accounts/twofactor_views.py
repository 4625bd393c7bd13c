"""The two pages of staff two-factor authentication: enrol an
authentication app, and give its code after signing in."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from . import twofactor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code à six chiffres"),
        help_text=gettext_lazy("Le code affiché par votre application d'authentification, sans espace."),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Le code est fait de six chiffres."))
        return code


def _landing(request: HttpRequest) -> str:
    return twofactor.safe_next(request, "/cms/")


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """First time: scan the QR code (or type the key), then give a code."""
    user = request.user
    if not twofactor.is_staff_account(user):
        raise Http404
    if twofactor.has_confirmed_device(user):
        if request.user.is_verified():
            messages.info(request, _("La double authentification est déjà active sur votre compte."))
            return redirect(_landing(request))
        return redirect("twofactor:verify")
    device = twofactor.pending_device(user=user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and twofactor.device_confirm(device=device, token=form.cleaned_data["code"]):
            otp_login(request, device)
            messages.success(request, _("Double authentification activée. Elle vous sera demandée à chaque connexion."))
            return redirect(_landing(request))
        if not form.errors:
            form.add_error("code", _("Ce code ne correspond pas. Vérifiez l'heure de votre téléphone et "
                                     "saisissez le code affiché maintenant."))
        status = 400
    context = {
        "form": form,
        "qr_svg": twofactor.qr_svg(device),
        "secret": twofactor.secret_text(device),
        "next": twofactor.safe_next(request, ""),
    }
    return TemplateResponse(request, "accounts/twofactor_setup.html", context, status=status)


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code of the enrolled app."""
    user = request.user
    if not twofactor.has_confirmed_device(user):
        if not twofactor.requires_two_factor(user):
            raise Http404
        return redirect("twofactor:setup")
    if user.is_verified():
        return redirect(_landing(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        device = twofactor.device_for_token(user=user, token=form.cleaned_data["code"]) if form.is_valid() else None
        if device is not None:
            otp_login(request, device)
            return redirect(_landing(request))
        if not form.errors:
            form.add_error("code", _("Ce code n'est pas valable (ou a déjà servi). Saisissez le code affiché "
                                     "maintenant ; après plusieurs erreurs, patientez quelques secondes."))
        status = 400
    return TemplateResponse(request, "accounts/twofactor_verify.html",
                            {"form": form, "next": twofactor.safe_next(request, "")}, status=status)
