from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles; each is a Django group created by a migration."""

    EDITOR = "Rédacteurs", _("Rédacteur")
    DIRECTOR = "Directeurs d'école", _("Directeur d'école")
    FINANCE = "Agents financiers", _("Agent financier")
