import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .constants import ConsentKind, InvitationKind, Role, SchoolLevel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class Family(models.Model):
    """A household: one or more guardians (each with a login), the children
    that dossiers are filed for, and the schools that take them."""

    name = models.CharField(_("nom de la famille"), max_length=150)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    phone_alt = models.CharField(_("autre téléphone"), max_length=20, blank=True)
    schools = models.ManyToManyField("cms.School", verbose_name=_("écoles"), related_name="families", blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("famille")
        verbose_name_plural = _("familles")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: a parent, or a member of staff.

    The e-mail address is the login; there is no separate user name.
    """

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    family = models.ForeignKey(
        Family,
        verbose_name=_("famille"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guardians",
        help_text=_("Vide pour le personnel."),
    )
    email_confirmed_at = models.DateTimeField(
        _("adresse e-mail confirmée le"),
        null=True,
        blank=True,
        help_text=_("Vide tant que le lien de confirmation n'a pas été suivi : aucun dossier ne peut être déposé."),
    )
    must_change_password = models.BooleanField(
        _("mot de passe provisoire"),
        default=False,
        help_text=_("Le compte a été créé par une école : la personne doit choisir son mot de passe à la connexion."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The user's groups, read once: a request asks many times (admin
        menu, dashboard, permission checks) and the user object lives for
        one request."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names

    @property
    def is_staff_member(self) -> bool:
        return self.is_superuser or bool(self.role_names & set(Role.values))

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class Child(models.Model):
    """A child of a family, for whom dossiers are filed."""

    family = models.ForeignKey(Family, verbose_name=_("famille"), on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"))
    level = models.CharField(_("niveau"), max_length=3, choices=SchoolLevel.choices, blank=True)

    class Meta:
        verbose_name = _("enfant")
        verbose_name_plural = _("enfants")
        ordering = ["birth_date", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


def hash_token(token: str) -> str:
    """Tokens sent by e-mail are stored hashed: a copy of the database gives
    no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


class EmailConfirmation(models.Model):
    """One confirmation link sent to a user: it expires, and works once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("utilisateur"), on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("adresse e-mail"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lien de confirmation")
        verbose_name_plural = _("liens de confirmation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email


class AccountInvitation(models.Model):
    """A family account created by a school: the family receives its
    identifier and a provisional password, and must sign in and choose its
    own password before ``expires_at``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte créé"),
        on_delete=models.CASCADE,
        related_name="account_invitations",
    )
    school = models.ForeignKey(
        "cms.School", verbose_name=_("école"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invité par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(
        _("envoi"),
        max_length=30,
        choices=InvitationKind.choices,
        default=InvitationKind.FIRST,
        help_text=_("Seul le personnel de l'école qui a invité la famille renvoie l'invitation ; un rédacteur ou un "
                    "administrateur aussi, et cela est noté."),
    )
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation d'une famille")
        verbose_name_plural = _("invitations des familles")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.user)


class GuardianInvitation(models.Model):
    """A parent invites a second guardian into the family; the guardian
    follows the link and gets a login of his or her own.

    The link is bound to the invited address: it works once
    (``used_at``) and before ``expires_at``, and the account that used it
    joins the family (``accepted_at``) only once it has confirmed that
    address — before, it sees nothing of the family."""

    family = models.ForeignKey(
        Family, verbose_name=_("famille"), on_delete=models.CASCADE, related_name="guardian_invitations"
    )
    email = models.EmailField(_("adresse e-mail"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invité par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("lien utilisé le"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acceptée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation d'un responsable")
        verbose_name_plural = _("invitations des responsables")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.family}"


class Consent(models.Model):
    """A family accepted one version of the portal's terms of use or of a
    school's rules: who, which, which version, when. Never changed: a new
    version is a new row."""

    family = models.ForeignKey(Family, verbose_name=_("famille"), on_delete=models.CASCADE, related_name="consents")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepté par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="consents",
    )
    kind = models.CharField(_("document"), max_length=20, choices=ConsentKind.choices)
    terms_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page des conditions"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    school = models.ForeignKey(
        "cms.School", verbose_name=_("école"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rules = models.ForeignKey(
        "cms.SchoolRules",
        verbose_name=_("règlement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.CharField(
        _("version"),
        max_length=50,
        help_text=_("Conditions : numéro de la révision publiée de la page. Règlement : sa version."),
    )
    title = models.CharField(_("intitulé"), max_length=255, help_text=_("Le titre du document au moment de l'acceptation."))
    accepted_at = models.DateTimeField(_("accepté le"), default=timezone.now)

    class Meta:
        verbose_name = _("acceptation")
        verbose_name_plural = _("acceptations")
        ordering = ["-accepted_at"]
        indexes = [models.Index(fields=["family", "kind", "version"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"
