"""Family accounts: the five-step sign-up, confirmation, sign-in and
passwords, « Mon compte ». Views read with selectors and write with
services; they only route, check who asks and render."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from notifications import selectors as notification_selectors
from notifications import services as notification_services

from . import ratelimit, selectors, services
from .models import User
from .forms import (
    ChildForm,
    ConsentForm,
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    FamilyContactForm,
    FrenchPasswordChangeForm,
    FrenchSetPasswordForm,
    GuardianAcceptForm,
    GuardianInviteForm,
    SchoolChoiceForm,
    SignupIdentityForm,
    SignupPasswordForm,
    password_rules,
)

SIGNUP_STEPS = 5
SIGNUP_SESSION_KEY = "accounts_signup"
SIGNUP_SENT_KEY = "accounts_signup_sent_to"
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"
TOO_MANY = _lazy("Trop de demandes depuis cette connexion. Réessayez dans une heure.")
SIGNUP_MAILS_TOO_MANY = _lazy(
    "Cette connexion a déjà fait envoyer de nombreux e-mails d'inscription dans l'heure : pour éviter les abus, "
    "les inscriptions depuis cette connexion reprendront dans une heure. Vous pouvez aussi utiliser une autre "
    "connexion (par exemple les données mobiles de votre téléphone)."
)
ADDRESS_TOO_MANY = _lazy(
    "Plusieurs e-mails d'inscription ont déjà été envoyés à cette adresse dans l'heure. Vérifiez votre messagerie "
    "(et le dossier des indésirables), ou réessayez dans une heure."
)


def _signup_mails_exhausted(request: HttpRequest) -> bool:
    """Whether this connection used up its sign-up e-mails: said on the first
    page, before anything is typed."""
    return ratelimit.is_limited(ratelimit.SIGNUP_MAILS_PER_IP, ratelimit.client_ip(request))


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _posted(request: HttpRequest):
    """The submitted data of a POST (even empty, so that it is validated)."""
    return request.POST if request.method == "POST" else None


def family_required(view):
    """Signed in, and member of a family (staff have none)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if request.user.family_id is None:
            messages.info(request, _("Ce compte n'est rattaché à aucune famille."))
            return redirect("accounts:account")
        return view(request, *args, **kwargs)

    return wrapper


# --- Sign in ---------------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm

    def get_default_redirect_url(self):
        return selectors.landing_url(user=self.request.user)


def login_locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to too many wrong passwords: the login page, the
    address kept, a French message (this address, or this machine whatever
    the address: accounts/throttling.py), HTTP 429."""
    from axes.handlers.proxy import AxesProxyHandler

    form = EmailAuthenticationForm(request, initial={"username": ratelimit.login_username(request, credentials)})
    handler = AxesProxyHandler.get_implementation()
    machine = getattr(handler, "machine_locked_out", lambda *args: False)(request, credentials)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_out": True, "machine_locked_out": machine, "next": request.POST.get("next", "")},
        status=429,
    )


# --- Sign-up wizard ----------------------------------------------------------------------------------------


def _signup_state(request: HttpRequest) -> dict:
    state = request.session.get(SIGNUP_SESSION_KEY) or {}
    state.setdefault("identity", None)
    state.setdefault("password_hash", None)
    state.setdefault("school_ids", [])
    state.setdefault("query", "")
    state.setdefault("drafts", {})
    return state


def _signup_save(request: HttpRequest, state: dict) -> None:
    request.session[SIGNUP_SESSION_KEY] = state
    request.session.modified = True


def _first_incomplete_step(state: dict) -> int:
    if not state["identity"]:
        return 1
    if not state["password_hash"]:
        return 2
    if not state["school_ids"]:
        return 3
    return 4


def _draft(request: HttpRequest, exclude=()) -> dict:
    """What was typed on a step, kept when going back without validating."""
    return {
        key: request.POST.getlist(key) if key == "schools" else request.POST.get(key)
        for key in request.POST
        if key not in {"csrfmiddlewaretoken", "action", "password1", "password2", *exclude}
    }


def signup(request: HttpRequest) -> HttpResponse:
    return redirect("accounts:signup_step", step=1)


@sensitive_post_parameters("password1", "password2")
def signup_step(request: HttpRequest, step: int) -> HttpResponse:
    if request.user.is_authenticated:
        messages.info(request, _("Vous êtes déjà connecté : votre compte est ouvert."))
        return redirect("accounts:account")
    if step not in (1, 2, 3, 4):
        raise Http404
    state = _signup_state(request)
    first_incomplete = _first_incomplete_step(state)
    if step > first_incomplete:
        return redirect("accounts:signup_step", step=first_incomplete)
    if request.method == "POST" and request.POST.get("action") == "back" and step > 1:
        state["drafts"][str(step)] = _draft(request)
        if step == 3:
            state["school_ids"] = [i for i in request.POST.getlist("schools") if i.isdigit()]
            state["query"] = request.POST.get("q", "").strip()[:100]
        _signup_save(request, state)
        return redirect("accounts:signup_step", step=step - 1)
    handler = {1: _signup_identity, 2: _signup_password, 3: _signup_schools, 4: _signup_consents}[step]
    return handler(request, state)


def _render_step(request, step: int, title: str, context: dict, status: int = 200) -> HttpResponse:
    context.update({"step": step, "steps": SIGNUP_STEPS, "step_title": title})
    context.setdefault("limit_message", SIGNUP_MAILS_TOO_MANY if _signup_mails_exhausted(request) else "")
    return render(request, f"accounts/signup/step{step}.html", context, status=status)


def _signup_identity(request, state) -> HttpResponse:
    title = _("Vos nom, prénom et adresse e-mail")
    if request.method == "POST":
        form = SignupIdentityForm(request.POST)
        if _signup_mails_exhausted(request):
            form.is_valid()
            return _render_step(request, 1, title, {"form": form}, status=429)
        if form.is_valid() and ratelimit.is_limited(ratelimit.SIGNUP_PER_EMAIL, form.cleaned_data["email"]):
            # Said now, next to the address, rather than after steps 2 to 4.
            form.add_error("email", ADDRESS_TOO_MANY)
            return _render_step(request, 1, title, {"form": form}, status=429)
        if form.is_valid():
            state["identity"] = form.cleaned_data
            state["drafts"].pop("1", None)
            _signup_save(request, state)
            return redirect("accounts:signup_step", step=2)
        state["drafts"]["1"] = _draft(request)
        _signup_save(request, state)
        return _render_step(request, 1, title, {"form": form})
    form = SignupIdentityForm(initial=state["identity"] or state["drafts"].get("1") or {})
    return _render_step(request, 1, title, {"form": form})


def _signup_password(request, state) -> HttpResponse:
    title = _("Votre mot de passe")
    has_password = bool(state["password_hash"])
    if request.method == "POST":
        form = SignupPasswordForm(request.POST, identity=state["identity"], has_password=has_password)
        if form.is_valid():
            if form.cleaned_data.get("password1"):
                state["password_hash"] = make_password(form.cleaned_data["password1"])
            _signup_save(request, state)
            return redirect("accounts:signup_step", step=3)
    else:
        form = SignupPasswordForm(identity=state["identity"], has_password=has_password)
    return _render_step(request, 2, title, {"form": form, "rules": password_rules(), "has_password": has_password})


def _signup_schools(request, state) -> HttpResponse:
    title = _("L'école de vos enfants")
    form = None
    if request.method == "POST":
        state["school_ids"] = [i for i in request.POST.getlist("schools") if i.isdigit()]
        query = request.POST.get("q", "").strip()
        state["query"] = query
        _signup_save(request, state)
        if request.POST.get("action") == "search":
            return redirect(reverse("accounts:signup_step", args=[3]) + "?" + _query_string(query))
        form = SchoolChoiceForm({"schools": state["school_ids"]})
        if form.is_valid():
            state["school_ids"] = [str(s.pk) for s in form.cleaned_data["schools"]]
            _signup_save(request, state)
            return redirect("accounts:signup_step", step=4)
        state["school_ids"] = []
        _signup_save(request, state)
    else:
        query = request.GET.get("q", state["query"]).strip()
        if query != state["query"]:
            state["query"] = query
            _signup_save(request, state)
    selected = selectors.schools_by_ids(state["school_ids"])
    search = selectors.school_search(query=query)
    results = [school for school in search.schools if school not in selected]
    return _render_step(
        request,
        3,
        title,
        {"form": form, "search": search, "selected": selected, "results": results, "query": query},
    )


def _query_string(query: str) -> str:
    return urlencode({"q": query})


def _signup_consents(request, state) -> HttpResponse:
    title = _("Les conditions et le règlement de l'école")
    schools = selectors.schools_by_ids(state["school_ids"])
    if not schools:
        state["school_ids"] = []
        _signup_save(request, state)
        return redirect("accounts:signup_step", step=3)
    documents = selectors.current_consent_documents(schools=schools)
    if request.method == "POST":
        form = ConsentForm(request.POST, documents=documents)
        if form.is_valid():
            if not ratelimit.hit(ratelimit.SIGNUP_MAILS_PER_IP, ratelimit.client_ip(request)):
                form.add_error(None, SIGNUP_MAILS_TOO_MANY)
                return _render_step(
                    request, 4, title, {"form": form, "documents": documents, "schools": schools,
                                        "limit_message": ""}, status=429
                )
            identity = state["identity"]
            # A new address gets its account and a confirmation link; one that
            # has an account gets a message to its owner. The answer is the
            # same page, signed out, so that nobody learns which it was.
            if ratelimit.hit(ratelimit.SIGNUP_PER_EMAIL, identity["email"]):
                services.signup_create_family_account(
                    first_name=identity["first_name"],
                    last_name=identity["last_name"],
                    email=identity["email"],
                    password_hash=state["password_hash"],
                    schools=schools,
                    documents=documents,
                )
            request.session.pop(SIGNUP_SESSION_KEY, None)
            request.session[SIGNUP_SENT_KEY] = identity["email"]
            return redirect("accounts:signup_done")
    else:
        draft = state["drafts"].get("4") or {}
        form = ConsentForm(documents=documents, initial={k: v == "on" for k, v in draft.items() if k.startswith("accept_")})
    return _render_step(request, 4, title, {"form": form, "documents": documents, "schools": schools})


def signup_done(request: HttpRequest) -> HttpResponse:
    """The last step, the same whether the address was new or not: look in
    the mailbox."""
    return render(
        request,
        "accounts/signup/done.html",
        {
            "step": 5,
            "steps": SIGNUP_STEPS,
            "step_title": _("Vérifiez votre messagerie"),
            "email": request.session.get(SIGNUP_SENT_KEY, ""),
        },
    )


# --- E-mail confirmation ----------------------------------------------------------------------------------

CONFIRMATION_MESSAGES = {
    services.ConfirmationStatus.ALREADY_USED: _lazy(
        "Ce lien de confirmation a déjà été utilisé. Si votre adresse est confirmée, il n'y a rien d'autre à faire ; "
        "sinon, connectez-vous pour recevoir un nouveau lien."
    ),
    services.ConfirmationStatus.EXPIRED: _lazy(
        "Ce lien de confirmation a expiré. Connectez-vous, puis demandez un nouveau lien depuis « Mon compte »."
    ),
    services.ConfirmationStatus.INVALID: _lazy(
        "Ce lien de confirmation n'est pas valable. Vérifiez qu'il a été copié en entier, ou demandez un nouveau lien "
        "depuis « Mon compte »."
    ),
    services.ConfirmationStatus.SIGN_IN_REQUIRED: _lazy(
        "Ce lien vous fera rejoindre le compte famille qui vous a invité(e) : connectez-vous d'abord avec cette "
        "adresse e-mail, puis ouvrez-le à nouveau. Si vous n'avez pas créé ce compte vous-même, choisissez un "
        "nouveau mot de passe avec « Mot de passe oublié ? » : vous rejoindrez la famille, et personne d'autre."
    ),
}
CONFIRMATION_STATUS_CODES = {
    services.ConfirmationStatus.INVALID: 404,
    services.ConfirmationStatus.SIGN_IN_REQUIRED: 403,
}


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the confirmation e-mail. Opening it shows a button; the
    button confirms (so that a mail scanner opening links confirms nothing)."""
    by = request.user if request.user.is_authenticated else None
    if request.method == "POST":
        status, user = services.email_confirm(token=token, by=by)
        if status is services.ConfirmationStatus.CONFIRMED:
            messages.success(request, _("Merci : votre adresse e-mail est confirmée."))
            if request.user.is_authenticated:
                return redirect("accounts:account")
            return redirect("accounts:login")
    else:
        status = services.email_confirmation_check(token=token, by=by)
    if status is services.ConfirmationStatus.CONFIRMED:
        return render(request, "accounts/confirm_email.html", {"valid": True})
    return render(
        request,
        "accounts/confirm_email.html",
        {
            "valid": False,
            "error": CONFIRMATION_MESSAGES[status],
            "sign_in_first": status is services.ConfirmationStatus.SIGN_IN_REQUIRED,
        },
        status=CONFIRMATION_STATUS_CODES.get(status, 410),
    )


@require_POST
@login_required
def confirmation_resend(request: HttpRequest) -> HttpResponse:
    user = request.user
    target = _safe_next(request, reverse("accounts:account"))
    if user.email_confirmed:
        messages.info(request, _("Votre adresse e-mail est déjà confirmée."))
    elif not ratelimit.hit(ratelimit.CONFIRMATION_PER_USER, str(user.pk)):
        messages.error(
            request,
            _("Vous avez déjà demandé plusieurs liens. Attendez une heure, et vérifiez vos courriers indésirables."),
        )
    else:
        services.email_confirmation_send(user=user)
        messages.success(request, _("Un nouveau lien de confirmation a été envoyé à %(email)s.") % {"email": user.email})
    return redirect(target)


# --- Passwords ---------------------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password; for an account a school created, choose the
    first own password (the provisional one is not asked again)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:account")

    def get_form_class(self):
        return FrenchSetPasswordForm if self.request.user.must_change_password else FrenchPasswordChangeForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"rules": password_rules(), "provisional": self.request.user.must_change_password})
        return context

    def form_valid(self, form):
        super().form_valid(form)
        messages.success(self.request, _("Votre mot de passe est enregistré."))
        return redirect(selectors.landing_url(user=self.request.user))


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The answer is the same whether an account has
    this address or not."""

    template_name = "registration/password_reset_form.html"
    form_class = EmailPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if not ratelimit.hit(ratelimit.PASSWORD_RESET_PER_IP, ratelimit.client_ip(self.request)):
            form.add_error(None, TOO_MANY)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        if ratelimit.hit(ratelimit.PASSWORD_RESET_PER_EMAIL, email):
            services.password_reset_send(email=email)
        return redirect(self.success_url)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    form_class = FrenchSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rules"] = password_rules()
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_reset_completed(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


# --- Mon compte --------------------------------------------------------------------------------------------


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    family = user.family
    context = {"user": user, "family": family, "is_staff_member": selectors.is_staff_member(user=user)}
    if family is not None:
        context.update(
            {
                "guardians": selectors.family_guardians(family=family),
                "invitations": selectors.family_open_guardian_invitations(family=family),
                "children": selectors.family_children(family=family),
                "schools": family.schools.order_by("commune", "name"),
                "pending": selectors.family_pending_consents(family=family),
                "consents": selectors.family_consents(family=family)[:20],
                "blockers": selectors.submission_blockers(user=user),
            }
        )
        if notification_selectors.push_available():
            context["push"] = {
                "public_key": notification_selectors.push_public_key(),
                "devices": notification_selectors.push_devices_for(user=user),
            }
    context["joins_pending"] = selectors.guardian_joins_pending(user=user)
    return render(request, "accounts/account.html", context)


# --- « Mon compte » › notifications on this device ----------------------------------------------------


@family_required
@require_POST
def push_subscribe(request: HttpRequest) -> HttpResponse:
    """The device's browser subscribed (accounts/static/accounts/js/push.js
    posts its PushSubscription): notifications go to it from now on."""
    if not notification_selectors.push_available():
        raise Http404
    try:
        notification_services.push_subscribe(
            user=request.user,
            endpoint=request.POST.get("endpoint", ""),
            p256dh=request.POST.get("p256dh", ""),
            auth=request.POST.get("auth", ""),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except notification_services.PushSubscriptionError as error:
        return JsonResponse({"error": error.message}, status=400)
    messages.success(request, _("Les notifications sont activées sur cet appareil."))
    return JsonResponse({"ok": True}, status=201)


@family_required
@require_POST
def push_unsubscribe(request: HttpRequest) -> HttpResponse:
    """Notifications off for one of this person's devices: this one (its
    endpoint, from push.js) or one of the list (its id, a plain form)."""
    if not notification_selectors.push_available():
        raise Http404
    subscription = request.POST.get("subscription", "")
    removed = notification_services.push_unsubscribe(
        user=request.user,
        endpoint=request.POST.get("endpoint", ""),
        subscription_id=int(subscription) if subscription.isdigit() else None,
    )
    if removed:
        messages.success(request, _("Les notifications sont désactivées sur cet appareil."))
    return redirect(f"{reverse('accounts:account')}#notifications")


@family_required
def contact_edit(request: HttpRequest) -> HttpResponse:
    family = request.user.family
    form = FamilyContactForm(_posted(request), instance=family)
    if request.method == "POST" and form.is_valid():
        services.family_update_contact(family=family, **{k: form.cleaned_data[k] for k in form.Meta.fields})
        messages.success(request, _("Vos coordonnées sont enregistrées."))
        return redirect("accounts:account")
    return render(request, "accounts/contact_form.html", {"form": form})


@family_required
def child_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    child = get_object_or_404(selectors.children_for_user(user=request.user), pk=pk) if pk else None
    form = ChildForm(_posted(request), instance=child)
    if request.method == "POST" and form.is_valid():
        services.child_save(family=request.user.family, child=child, **form.cleaned_data)
        if child is None:
            messages.success(request, _("%(name)s est ajouté(e) à votre famille.") % {"name": form.cleaned_data["first_name"]})
        else:
            messages.success(request, _("Les informations de %(name)s sont enregistrées.") % {"name": form.cleaned_data["first_name"]})
        return redirect("accounts:account")
    return render(request, "accounts/child_form.html", {"form": form, "child": child})


@family_required
def guardian_invite(request: HttpRequest) -> HttpResponse:
    form = GuardianInviteForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit(ratelimit.GUARDIAN_INVITATION_PER_USER, str(request.user.pk)):
            form.add_error(None, _("Vous avez envoyé beaucoup d'invitations aujourd'hui. Réessayez demain."))
            return render(request, "accounts/guardian_invite.html", {"form": form}, status=429)
        services.guardian_invite(family=request.user.family, invited_by=request.user, email=form.cleaned_data["email"])
        messages.success(
            request,
            _("Invitation envoyée à %(email)s. Le lien est valable quelques jours, une seule fois.")
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("accounts:account")
    return render(request, "accounts/guardian_invite.html", {"form": form})


JOIN_AFTER_CONFIRMATION = _lazy(
    "Votre accès est prêt. Pour rejoindre la famille %(name)s, confirmez votre adresse : ouvrez le lien que nous "
    "venons d'envoyer à %(email)s, en restant connecté(e)."
)

INVITATION_MESSAGES = {
    services.InvitationStatus.ALREADY_USED: _lazy("Cette invitation a déjà été utilisée. Connectez-vous avec votre adresse e-mail."),
    services.InvitationStatus.EXPIRED: _lazy("Cette invitation a expiré. Demandez à l'autre responsable de vous inviter à nouveau."),
    services.InvitationStatus.INVALID: _lazy("Ce lien d'invitation n'est pas valable. Vérifiez qu'il a été copié en entier."),
}


@sensitive_post_parameters("password1", "password2")
def guardian_accept(request: HttpRequest, token: str) -> HttpResponse:
    status, invitation = services.guardian_invitation_lookup(token=token)
    if status is not services.InvitationStatus.VALID:
        return render(
            request,
            "accounts/guardian_accept.html",
            {"error": INVITATION_MESSAGES[status]},
            status=404 if status is services.InvitationStatus.INVALID else 410,
        )
    context = {"invitation": invitation, "family": invitation.family}
    user = request.user
    if user.is_authenticated:
        if request.method == "POST":
            try:
                joined = services.guardian_accept_existing(token=token, user=user)
            except services.AccountError as error:
                context["error"] = str(error)
                return render(request, "accounts/guardian_accept.html", context, status=400)
            if joined:
                messages.success(request, _("Vous avez rejoint la famille %(name)s.") % {"name": invitation.family.name})
            else:
                messages.info(request, JOIN_AFTER_CONFIRMATION % {"name": invitation.family.name, "email": user.email})
            return redirect("accounts:account")
        context["mode"] = "join" if user.email.lower() == invitation.email.lower() else "other_account"
        return render(request, "accounts/guardian_accept.html", context)
    if User.objects.filter(email__iexact=invitation.email).exists():
        context["mode"] = "sign_in"
        return render(request, "accounts/guardian_accept.html", context)
    form = GuardianAcceptForm(_posted(request), email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            new_user = services.guardian_accept_new(
                token=token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            auth_login(request, new_user, backend=SESSION_BACKEND)
            messages.info(request, JOIN_AFTER_CONFIRMATION % {"name": invitation.family.name, "email": new_user.email})
            return redirect("accounts:account")
    context.update({"mode": "create", "form": form, "rules": password_rules()})
    return render(request, "accounts/guardian_accept.html", context)


@family_required
def consents(request: HttpRequest) -> HttpResponse:
    """Accept the versions in force of the terms and the schools' rules
    (asked again whenever editors publish a new one)."""
    family = request.user.family
    documents = selectors.family_pending_consents(family=family)
    form = ConsentForm(_posted(request), documents=documents)
    if request.method == "POST" and documents and form.is_valid():
        services.consents_record(family=family, user=request.user, documents=documents)
        messages.success(request, _("Merci : votre acceptation est enregistrée."))
        return redirect(_safe_next(request, reverse("accounts:account")))
    return render(
        request,
        "accounts/consents.html",
        {
            "form": form,
            "documents": documents,
            "history": selectors.family_consents(family=family),
            "next": _safe_next(request, ""),
        },
    )
