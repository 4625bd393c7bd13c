import re
from datetime import date

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from cms.models import School

from . import services
from .constants import ConsentKind, SchoolLevel
from .models import Child, Family, User
from .selectors import ConsentDocument, account_invitation_expired

PASSWORD_MISMATCH = _("Les deux mots de passe ne sont pas identiques.")
EMAIL_INVALID = _("Saisissez une adresse e-mail valide, par exemple marie.joseph@exemple.fr.")


def password_rules() -> list[str]:
    """The password rules, in French, shown before anyone fails them."""
    return password_validation.password_validators_help_texts()


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
        "invitation_expired": _(
            "Votre mot de passe provisoire a expiré. Demandez à votre école une nouvelle invitation, "
            "ou choisissez un mot de passe avec « Mot de passe oublié ? »."
        ),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if account_invitation_expired(user=user):
            raise forms.ValidationError(self.error_messages["invitation_expired"], code="invitation_expired")


# --- Sign-up -----------------------------------------------------------------------------------------


class SignupIdentityForm(forms.Form):
    """Step 1: nom, prénom, e-mail."""

    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": _("Indiquez votre nom.")},
    )
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Indiquez votre prénom.")},
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("Ce sera votre identifiant. Nous y enverrons un lien pour la confirmer."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Indiquez votre adresse e-mail."), "invalid": EMAIL_INVALID},
    )

    def clean_email(self):
        # Whether an account has this address is never said here: the sign-up
        # goes on, and its owner is told by e-mail at the end (services).
        return self.cleaned_data["email"].strip().lower()


class NewPasswordMixin:
    """Two password fields checked by Django's validators, whose rules the
    page shows first."""

    def _password_fields(self):
        self.fields["password1"] = forms.CharField(
            label=_("Mot de passe"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        )
        self.fields["password2"] = forms.CharField(
            label=_("Confirmez le mot de passe"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        )

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(PASSWORD_MISMATCH, code="password_mismatch")
        return password2

    def _validate_password(self, user):
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)


class SignupPasswordForm(NewPasswordMixin, forms.Form):
    """Step 2: the password, checked against the person of step 1. Going
    back to this step keeps the password chosen unless a new one is typed."""

    def __init__(self, *args, identity: dict, has_password: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.identity = identity
        self.has_password = has_password
        self._password_fields()
        if has_password:
            self.fields["password1"].required = False
            self.fields["password2"].required = False
            self.fields["password1"].help_text = _("Laissez vide pour garder le mot de passe déjà choisi.")

    def clean(self):
        cleaned = super().clean()
        if self.has_password and not cleaned.get("password1") and not cleaned.get("password2"):
            return cleaned
        if cleaned.get("password1") and not cleaned.get("password2") and "password2" not in self.errors:
            self.add_error("password2", _("Saisissez le mot de passe une seconde fois."))
        self._validate_password(
            User(
                email=self.identity.get("email", ""),
                first_name=self.identity.get("first_name", ""),
                last_name=self.identity.get("last_name", ""),
            )
        )
        return cleaned


class SchoolChoiceForm(forms.Form):
    """Step 3: one or more schools."""

    schools = forms.ModelMultipleChoiceField(
        queryset=School.objects.all(),
        label=_("Écoles"),
        error_messages={
            "required": _("Choisissez au moins une école : recherchez-la par son code postal ou sa commune."),
            "invalid_choice": _("Cette école n'existe pas ou plus. Recherchez-la à nouveau."),
            "invalid_pk_value": _("Cette école n'existe pas ou plus. Recherchez-la à nouveau."),
        },
    )


class ConsentForm(forms.Form):
    """Step 4, and the page where a family accepts new versions: one box per
    document in force, and the version shown, so that a version published
    in between is shown before being accepted."""

    def __init__(self, *args, documents: list[ConsentDocument], **kwargs):
        super().__init__(*args, **kwargs)
        self.documents = documents
        for document in documents:
            if document.kind == ConsentKind.TERMS:
                label = _("J'ai lu et j'accepte les conditions générales d'utilisation du portail.")
                required = _("Vous devez accepter les conditions générales d'utilisation pour continuer.")
            else:
                label = _("J'ai lu et j'accepte le règlement de l'école « %(school)s » (version %(version)s).") % {
                    "school": document.school.name,
                    "version": document.version,
                }
                required = _("Vous devez accepter le règlement de l'école « %(school)s » pour continuer.") % {
                    "school": document.school.name
                }
            self.fields[f"accept_{document.key}"] = forms.BooleanField(
                label=label, required=True, error_messages={"required": required}
            )

    def accept_field(self, document: ConsentDocument):
        return self[f"accept_{document.key}"]

    def clean(self):
        """The template sends, beside each box, the version it showed
        (``version_<key>``): accepting is only valid for the version in force."""
        cleaned = super().clean()
        for document in self.documents:
            shown = self.data.get(f"version_{document.key}")
            if shown and shown != document.version:
                self.add_error(
                    f"accept_{document.key}",
                    _("Une nouvelle version vient d'être publiée : lisez-la, puis acceptez-la."),
                )
        return cleaned


# --- Passwords -----------------------------------------------------------------------------------


class FrenchSetPasswordForm(SetPasswordForm):
    """Choose a new password (reset link, or the first one of an account a
    school created) — never the provisional one again."""

    error_messages = {
        "password_mismatch": PASSWORD_MISMATCH,
        "same_as_provisional": _("Choisissez un mot de passe différent du mot de passe provisoire."),
    }

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password1"].help_text = ""
        self.fields["new_password2"].label = _("Confirmez le nouveau mot de passe")

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password2")
        if (
            self.user.must_change_password
            and password
            and "new_password2" not in self.errors
            and self.user.check_password(password)
        ):
            self.add_error(
                "new_password2",
                forms.ValidationError(self.error_messages["same_as_provisional"], code="same_as_provisional"),
            )
        return cleaned

    def save(self, commit=True):
        return services.password_set(user=self.user, password=self.cleaned_data["new_password1"])


class FrenchPasswordChangeForm(FrenchSetPasswordForm, PasswordChangeForm):
    error_messages = {
        **FrenchSetPasswordForm.error_messages,
        "password_incorrect": _("Votre mot de passe actuel est incorrect. Saisissez-le à nouveau."),
    }

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = _("Mot de passe actuel")


class EmailPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Adresse e-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


# --- Mon compte -----------------------------------------------------------------------------------------

PHONE_RE = re.compile(r"^\+?[0-9 .\-()]{6,20}$")


def _clean_phone(value: str) -> str:
    value = value.strip()
    if value and (not PHONE_RE.match(value) or len(re.sub(r"\D", "", value)) < 10):
        raise forms.ValidationError(
            _("Saisissez un numéro de téléphone à 10 chiffres, par exemple 0696 12 34 56."), code="invalid_phone"
        )
    return value


class FamilyContactForm(forms.ModelForm):
    class Meta:
        model = Family
        fields = ["address", "postal_code", "commune", "phone", "phone_alt"]
        widgets = {
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "commune": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "phone_alt": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def clean_postal_code(self):
        value = self.cleaned_data["postal_code"].strip()
        if value and not re.fullmatch(r"\d{5}", value):
            raise forms.ValidationError(_("Un code postal a cinq chiffres, par exemple 97228."), code="invalid")
        return value

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])

    def clean_phone_alt(self):
        return _clean_phone(self.cleaned_data["phone_alt"])


class ChildForm(forms.ModelForm):
    level = forms.ChoiceField(
        label=_("Niveau à la rentrée"),
        choices=[("", _("— Je ne sais pas encore —"))] + list(SchoolLevel.choices),
        required=False,
    )

    class Meta:
        model = Child
        fields = ["first_name", "last_name", "birth_date", "level"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        self.fields["birth_date"].help_text = _("Par exemple 14/03/2021.")
        self.fields["birth_date"].error_messages["invalid"] = _(
            "Saisissez une date de naissance valide, par exemple 14/03/2021."
        )

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        today = date.today()
        if value > today:
            raise forms.ValidationError(_("La date de naissance ne peut pas être dans le futur."), code="future")
        if value.year < today.year - 18:
            raise forms.ValidationError(
                _("Vérifiez la date de naissance : le portail concerne les écoles maternelles et élémentaires."),
                code="too_old",
            )
        return value


class GuardianInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail du second responsable"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email == self.user.email.lower():
            raise forms.ValidationError(_("C'est votre propre adresse : saisissez celle de l'autre responsable."))
        if User.objects.filter(email__iexact=email, family_id=self.user.family_id).exists():
            raise forms.ValidationError(_("Cette personne fait déjà partie de votre famille."))
        return email


class GuardianAcceptForm(NewPasswordMixin, forms.Form):
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    first_name = forms.CharField(label=_("Prénom"), max_length=150)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self._password_fields()

    def clean(self):
        cleaned = super().clean()
        self._validate_password(
            User(email=self.email, first_name=cleaned.get("first_name", ""), last_name=cleaned.get("last_name", ""))
        )
        return cleaned


class StaffFamilyInviteForm(forms.Form):
    """Staff: create a family's account and send it a provisional password."""

    email = forms.EmailField(label=_("Adresse e-mail de la famille"))
    last_name = forms.CharField(label=_("Nom de la famille"), max_length=150)
    first_name = forms.CharField(label=_("Prénom du responsable"), max_length=150, required=False)
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("École"))

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
