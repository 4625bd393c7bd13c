from django.db import models
from django.utils.translation import gettext_lazy as _


class SchoolKind(models.TextChoices):
    MATERNELLE = "maternelle", _("École maternelle")
    ELEMENTAIRE = "elementaire", _("École élémentaire")
    GROUPE = "groupe", _("Groupe scolaire")


class ValidationRole(models.TextChoices):
    """Who validates the dossiers of a procedure."""

    DIRECTOR = "director", _("La direction de l'école")
    FINANCE = "finance", _("Un agent financier")
