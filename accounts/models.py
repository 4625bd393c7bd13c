from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import Role, SchoolLevel


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

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def has_role(self, role: Role) -> bool:
        return self.groups.filter(name=role.value).exists()


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
