from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from files.responses import private_bytes_response

from . import services


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Votre mot de passe, pour confirmer"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Je comprends que mon compte, celui des autres responsables de la famille et les "
                           "données des enfants seront supprimés, et les dossiers en cours retirés."),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer la suppression.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."))
        return password


def _family(request: HttpRequest):
    if not request.user.family_id:
        raise Http404(_("Votre compte n'est rattaché à aucune famille."))
    return request.user.family


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    family = _family(request)
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_delete(family=family, by=request.user)
        except services.DeletionRefused as error:
            form.add_error(None, error.message)
        else:
            logout(request)
            messages.success(request, _("Votre compte et les données de votre famille ont été supprimés."))
            return redirect("/")
    return TemplateResponse(
        request, "privacy/my_data.html", {"form": form, "family": family}, status=400 if form.errors else 200
    )


@login_required
@require_GET
def download(request: HttpRequest) -> HttpResponse:
    family = _family(request)
    content = services.family_data_archive(family=family)
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    return private_bytes_response(content, filename=f"mes-donnees-inscrire-{stamp}.zip",
                                  content_type="application/zip")
