from django.db import models
from django.utils.translation import gettext_lazy as _


class DirectorEmails(models.TextChoices):
    """How a school's directors hear of new dossiers."""

    EACH = "each", _("Un e-mail par dossier déposé")
    DAILY = "daily", _("Un récapitulatif chaque matin (dossiers déposés la veille)")


class SchoolKind(models.TextChoices):
    MATERNELLE = "maternelle", _("École maternelle")
    ELEMENTAIRE = "elementaire", _("École élémentaire")
    GROUPE = "groupe", _("Groupe scolaire")
