"""Choices of the form builder and of dossiers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    """Where a dossier stands in the form builder. The enrolment workflow
    (``workflows``) takes over once a dossier is submitted and keeps its own
    states; the form builder only knows whether the family is still typing."""

    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")


class FieldType(models.TextChoices):
    TEXT = "text", _("Texte court")
    TEXTAREA = "textarea", _("Texte long")
    EMAIL = "email", _("Adresse e-mail")
    PHONE = "phone", _("Téléphone")
    DATE = "date", _("Date")
    NUMBER = "number", _("Nombre")
    CHOICE = "choice", _("Choix unique")
    MULTICHOICE = "multichoice", _("Choix multiple")
    YESNO = "yesno", _("Oui / non")
    POSTAL_CODE = "postal_code", _("Code postal")
    FILE = "file", _("Document à joindre")
    CONSENT = "consent", _("Case à cocher d'accord")
    HEADING = "heading", _("Titre de partie")
    PARAGRAPH = "paragraph", _("Paragraphe d'aide")
    GROUP = "group", _("Groupe répété")


# Types that hold no answer.
DISPLAY_TYPES = {FieldType.HEADING.value, FieldType.PARAGRAPH.value}
# Types allowed inside a repeated group (one line per person, no documents).
GROUP_MEMBER_TYPES = {
    FieldType.TEXT.value,
    FieldType.EMAIL.value,
    FieldType.PHONE.value,
    FieldType.DATE.value,
    FieldType.NUMBER.value,
    FieldType.CHOICE.value,
    FieldType.YESNO.value,
    FieldType.POSTAL_CODE.value,
}


class ConditionOperator(models.TextChoices):
    EQUALS = "equals", _("est égale à")
    NOT_EQUALS = "not_equals", _("est différente de")
    FILLED = "filled", _("est renseignée")
    GREATER = "greater", _("est supérieure à (nombre, date)")
    LESS = "less", _("est inférieure à (nombre, date)")
    BETWEEN = "between", _("est comprise entre (nombre, date)")


class ConditionMatch(models.TextChoices):
    ALL = "all", _("toutes ces conditions")
    ANY = "any", _("au moins une de ces conditions")


class ChoiceWidget(models.TextChoices):
    RADIO = "radio", _("Boutons radio")
    SELECT = "select", _("Liste déroulante")


class Prefill(models.TextChoices):
    """What the family already told the portal, offered as a starting value."""

    CHILD_FIRST_NAME = "child.first_name", _("Prénom de l'enfant")
    CHILD_LAST_NAME = "child.last_name", _("Nom de l'enfant")
    CHILD_BIRTH_DATE = "child.birth_date", _("Date de naissance de l'enfant")
    CHILD_LEVEL = "child.level", _("Niveau de l'enfant")
    GUARDIAN_FIRST_NAME = "guardian.first_name", _("Prénom du responsable connecté")
    GUARDIAN_LAST_NAME = "guardian.last_name", _("Nom du responsable connecté")
    GUARDIAN_EMAIL = "guardian.email", _("E-mail du responsable connecté")
    FAMILY_NAME = "family.name", _("Nom de la famille")
    FAMILY_ADDRESS = "family.address", _("Adresse de la famille")
    FAMILY_POSTAL_CODE = "family.postal_code", _("Code postal de la famille")
    FAMILY_COMMUNE = "family.commune", _("Commune de la famille")
    FAMILY_PHONE = "family.phone", _("Téléphone de la famille")
    FAMILY_PHONE_ALT = "family.phone_alt", _("Autre téléphone de la famille")
