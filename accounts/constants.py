from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles; each is a Django group created by a migration."""

    EDITOR = "Rédacteurs", _("Rédacteur")
    DIRECTOR = "Directeurs d'école", _("Directeur d'école")
    FINANCE = "Agents financiers", _("Agent financier")
    # Members of a reviewer group that editors define (a mairie's school
    # service, a commission…): the workflow keeps this group in step with
    # the groups' members, so that they reach the workspace, with two-factor.
    REVIEWER = "Instructeurs", _("Instructeur")


class SchoolLevel(models.TextChoices):
    """School levels of French nursery and primary schools."""

    TPS = "TPS", _("Toute petite section")
    PS = "PS", _("Petite section")
    MS = "MS", _("Moyenne section")
    GS = "GS", _("Grande section")
    CP = "CP", _("CP")
    CE1 = "CE1", _("CE1")
    CE2 = "CE2", _("CE2")
    CM1 = "CM1", _("CM1")
    CM2 = "CM2", _("CM2")


class ConsentKind(models.TextChoices):
    """What a family accepts: the portal's terms of use, a school's rules."""

    TERMS = "terms", _("Conditions générales d'utilisation")
    SCHOOL_RULES = "school_rules", _("Règlement de l'école")


class InvitationKind(models.TextChoices):
    """How a school's invitation of a family came about. A re-sending by an
    editor or an administrator, who serve no school of their own, is kept
    apart so that it can be audited."""

    FIRST = "first", _("Première invitation")
    RESENT = "resent", _("Renvoyée par l'école")
    RESENT_BY_ADMINISTRATION = "resent_by_administration", _("Renvoyée par un rédacteur ou un administrateur")
