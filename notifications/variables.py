"""The variables each message receives — the one list of them.

Editors' templates may use only these; the code that calls ``notify()``
passes them in ``context``, as dicts or as objects carrying the listed
attributes. Whatever is passed, only the listed fields are copied, as plain
values, into the dicts the template sees: a template never holds a model
instance, so it cannot reach a method, a relation or the settings.

Shapes (``family``, ``child``, ``school``, ``dossier``, …) are the same in
every event that has them:

=============== ==========================================================
variable        fields
=============== ==========================================================
``family``      ``name``, ``commune``
``child``       ``first_name``, ``last_name``, ``birth_date`` (date),
                ``level`` (« Petite section », …)
``school``      ``name``, ``commune``
``dossier``     ``reference``, ``school_year`` (« 2026-2027 »),
                ``status`` (label), ``submitted_at`` (date and time)
``user``,       ``first_name``, ``last_name``, ``email``
``inviter``
``mandate``     ``reference``, ``iban_end`` (last four characters)
``link``        the address the message points to (absolute URL)
``amount``      a Decimal, in euros — write ``{{ amount|montant }}``
``…_date``,     dates — write ``{{ due_date|date_fr }}``; ``…_at`` are
``…_at``        date and time: ``{{ submitted_at|date_fr(heure=True) }}``
``comment``,    free text written by staff (may be empty)
``reason``
``procedure``   ``name``, ``school_year`` — the procedure of the dossier
``answers``     the dossier's answers as text, by question name
``stage``,      ``title`` — the stage the dossier is at; the one that
``next_stage``  follows a validation (empty when none)
=============== ==========================================================

Every event also gets ``site_name`` and ``site_url``. A missing required
variable is a programming error (``notify()`` raises); an optional one
(``comment``, ``reason``, a correction's ``due_date``, ``first_debit_date``,
the password reset's ``user``), a missing field of an object and ``None``
are rendered empty, so ``{% if comment %}`` works.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .constants import Event


class FreeFields(dict):
    """A sample whose keys are not fixed (a dossier's answers, by question
    name): every key is copied, its value as text. A key the dossier does
    not have (a question hidden by a condition) reads as empty. ``strict``
    marks the sample of one procedure: its keys are the only ones an
    editor's template may name."""

    strict = False

    def __missing__(self, key):
        return ""

    @classmethod
    def known(cls, fields: dict) -> "FreeFields":
        sample = cls(fields)
        sample.strict = True
        return sample


@dataclass(frozen=True)
class Variable:
    """One variable: what it is, for editors, and a sample value, whose shape
    (a scalar, a dict of fields, or a list of such dicts) is the variable's."""

    description: str
    sample: object
    required: bool = True


_MARTINIQUE = ZoneInfo("America/Martinique")

USER = Variable(
    _("La personne : first_name (prénom), last_name (nom), email."),
    {"first_name": "Nadège", "last_name": "Joseph-Angélique", "email": "nadege.joseph@example.org"},
)
FAMILY = Variable(
    _("La famille : name (nom de la famille), commune."),
    {"name": "Famille Joseph-Angélique", "commune": "Sainte-Luce"},
)
CHILD = Variable(
    _("L'enfant : first_name (prénom), last_name (nom), birth_date (date de naissance), level (niveau)."),
    {"first_name": "Maëlys", "last_name": "Joseph-Angélique", "birth_date": dt.date(2023, 3, 14), "level": "Petite section"},
)
SCHOOL = Variable(_("L'école : name (nom), commune."), {"name": "École maternelle du Bourg", "commune": "Sainte-Luce"})
DOSSIER = Variable(
    _("Le dossier : reference (numéro), school_year (année scolaire), status (état), submitted_at (déposé le)."),
    {
        "reference": "2026-0142",
        "school_year": "2026-2027",
        "status": "Déposé",
        "submitted_at": dt.datetime(2026, 6, 2, 14, 30, tzinfo=_MARTINIQUE),
    },
)
LINK = Variable(_("Le lien à ouvrir (adresse complète)."), "https://inscrire.example/mes-dossiers/2026-0142/")
AMOUNT = Variable(_("Le montant, en euros : écrivez {{ amount|montant }}."), Decimal("45.50"))
DUE_DATE = Variable(_("La date limite : écrivez {{ due_date|date_fr }}."), dt.date(2026, 12, 20))
COMMENT = Variable(
    _("Le commentaire de l'école (peut être vide)."), "Il manque le justificatif de domicile.", required=False
)

COMMON = {
    "site_name": Variable(_("Le nom du portail."), "Inscrire"),
    "site_url": Variable(_("L'adresse du portail."), "https://inscrire.example"),
}

PROCEDURE = Variable(
    _("La démarche : name (nom), school_year (année scolaire)."),
    {"name": "Inscriptions scolaires 2026-2027", "school_year": "2026-2027"}, required=False,
)
ANSWERS = Variable(
    _("Les réponses du dossier, en texte, par nom technique de question : {{ answers.allergies }}."),
    FreeFields({"allergies": "Oui", "commune_adresse": "Sainte-Luce"}), required=False,
)
STAGE = Variable(
    _("L'étape du dossier : title (son titre, par exemple « Inscription en mairie » ; vide sans étape)."),
    {"title": "Inscription en mairie"}, required=False,
)
NEXT_STAGE = Variable(
    _("L'étape qui suit : title (son titre ; vide quand il n'y en a plus)."), {"title": "Admission par l'école"},
    required=False,
)

_DOSSIER_SCOPE = {"family": FAMILY, "child": CHILD, "school": SCHOOL, "dossier": DOSSIER, "link": LINK,
                  "procedure": PROCEDURE, "answers": ANSWERS, "stage": STAGE}

EVENT_VARIABLES: dict[str, dict[str, Variable]] = {
    Event.ACCOUNT_CONFIRMATION: {
        "user": USER,
        "validity_hours": Variable(_("La durée de validité du lien, en heures."), 48),
        "link": LINK,
    },
    Event.ACCOUNT_INVITATION: {
        "school": SCHOOL,
        "email": Variable(_("L'identifiant (adresse e-mail) du compte."), "nadege.joseph@example.org"),
        "provisional_password": Variable(_("Le mot de passe provisoire."), "Xk4-pL9-mQ2"),
        "expires_at": Variable(_("Date limite de première connexion."), dt.datetime(2026, 9, 1, 12, 0, tzinfo=_MARTINIQUE)),
        "link": LINK,
    },
    Event.PASSWORD_RESET: {"user": Variable(USER.description, USER.sample, required=False), "link": LINK},
    Event.GUARDIAN_INVITATION: {"family": FAMILY, "inviter": USER, "link": LINK},
    Event.ACCOUNT_EXISTS: {
        "user": USER,
        "link": LINK,
        "reset_link": Variable(_("La page « Mot de passe oublié »."), "https://inscrire.example/compte/mot-de-passe/oublie/"),
    },
    Event.ACCOUNT_DELETED: {
        "user": USER,
        "family": FAMILY,
        "link": LINK,
        "withdrawn_count": Variable(_("Le nombre de dossiers en cours retirés avec le compte."), 1),
        "mandates_revoked": Variable(
            _("Le nombre de mandats de prélèvement révoqués : plus aucun prélèvement ne sera fait."), 1),
    },
    Event.DOSSIER_SUBMITTED: _DOSSIER_SCOPE,
    Event.DOSSIER_SUBMITTED_DIRECTORS: _DOSSIER_SCOPE,
    Event.DOSSIERS_DIGEST: {
        "school": SCHOOL,
        "day": Variable(_("Le jour récapitulé."), dt.date(2026, 6, 2)),
        "count": Variable(_("Le nombre de dossiers déposés ce jour-là."), 2),
        "dossiers": Variable(
            _(
                "La liste des dossiers : pour chacun reference, child (first_name, last_name), family (name), "
                "submitted_at, link. Parcourez-la avec {% for dossier in dossiers %}…{% endfor %}."
            ),
            [
                {
                    "reference": "2026-0142",
                    "child": {"first_name": "Maëlys", "last_name": "Joseph-Angélique"},
                    "family": {"name": "Famille Joseph-Angélique"},
                    "submitted_at": dt.datetime(2026, 6, 2, 14, 30, tzinfo=_MARTINIQUE),
                    "link": "https://inscrire.example/direction/dossiers/2026-0142/",
                },
                {
                    "reference": "2026-0143",
                    "child": {"first_name": "Noé", "last_name": "Lordinot"},
                    "family": {"name": "Famille Lordinot"},
                    "submitted_at": dt.datetime(2026, 6, 2, 17, 5, tzinfo=_MARTINIQUE),
                    "link": "https://inscrire.example/direction/dossiers/2026-0143/",
                },
            ],
        ),
        "link": LINK,
    },
    Event.CORRECTION_REQUESTED: {
        **_DOSSIER_SCOPE,
        "comment": COMMENT,
        "due_date": Variable(_("La date limite pour corriger (peut être vide)."), dt.date(2026, 6, 16), required=False),
    },
    Event.DOSSIER_RESUBMITTED: _DOSSIER_SCOPE,
    Event.DOSSIER_VALIDATED: {**_DOSSIER_SCOPE, "comment": COMMENT, "next_stage": NEXT_STAGE},
    Event.DOSSIER_REFUSED: {**_DOSSIER_SCOPE, "comment": COMMENT},
    Event.DOSSIER_WITHDRAWN: {**_DOSSIER_SCOPE, "comment": COMMENT},
    Event.DOSSIER_WITHDRAWN_DIRECTORS: {
        **_DOSSIER_SCOPE,
        "comment": Variable(_("Ce que la famille a écrit en retirant le dossier (peut être vide)."),
                            "Nous déménageons.", required=False),
    },
    Event.SCHOOL_MESSAGE: {
        **_DOSSIER_SCOPE,
        "message": Variable(_("Le message de l'école, tel qu'elle l'a écrit."),
                            "Pouvez-vous nous apporter le carnet de vaccination lundi ?"),
    },
    Event.FAMILY_MESSAGE: {
        **_DOSSIER_SCOPE,
        "message": Variable(_("Le message de la famille, tel qu'elle l'a écrit."),
                            "Bonjour, le justificatif de domicile est-il encore nécessaire ?"),
    },
    Event.OPINION_ASKED: {
        **_DOSSIER_SCOPE,
        "asker": Variable(USER.description, USER.sample),
        "question": Variable(_("La question posée."), "L'adresse déclarée est-elle bien dans le secteur ?"),
    },
    Event.DOSSIER_WAITING: {
        **_DOSSIER_SCOPE,
        "days_waiting": Variable(_("Le nombre de jours depuis le dépôt."), 9),
    },
    Event.DOSSIER_CONFIRMED: {
        **_DOSSIER_SCOPE,
        "attestation": Variable(
            _("Vrai quand l'attestation d'inscription est jointe au message : {% if attestation %}…{% endif %}."),
            True,
            required=False,
        ),
        "before_rentree": Variable(
            _("Vrai tant que la rentrée de l'année du dossier est à venir (jusqu'à la mi-septembre) : "
              "{% if before_rentree %}belle rentrée{% else %}belle année scolaire{% endif %}."),
            True,
            required=False,
        ),
    },
    Event.PAYMENT_REMINDER: {**_DOSSIER_SCOPE, "amount": AMOUNT, "due_date": DUE_DATE},
    Event.PAYMENT_OVERDUE: {**_DOSSIER_SCOPE, "amount": AMOUNT, "due_date": DUE_DATE},
    Event.PAYMENT_RECEIVED: {
        **_DOSSIER_SCOPE,
        "amount": AMOUNT,
        "paid_at": Variable(_("La date du paiement."), dt.date(2026, 12, 18)),
        "payment_method": Variable(_("Le mode de paiement."), "Carte bancaire"),
    },
    Event.MANDATE_VALIDATED: {
        **_DOSSIER_SCOPE,
        "mandate": Variable(
            _("Le mandat : reference (référence unique du mandat), iban_end (fin de l'IBAN)."),
            {"reference": "INSCRIRE-2026-0142", "iban_end": "4821"},
        ),
        "first_debit_date": Variable(_("La date du premier prélèvement (peut être vide)."), dt.date(2027, 1, 5), required=False),
    },
    Event.DEBIT_REJECTED: {
        **_DOSSIER_SCOPE,
        "amount": AMOUNT,
        "debit_date": Variable(_("La date du prélèvement rejeté."), dt.date(2027, 1, 5)),
        "reason": Variable(_("Le motif du rejet donné par la banque (peut être vide)."), "Provision insuffisante", required=False),
    },
}


def variables_for(event: str) -> dict[str, Variable]:
    return {**COMMON, **EVENT_VARIABLES[event]}


def sample_context(event: str) -> dict:
    """The sample dossier messages are checked and previewed on."""
    return {name: variable.sample for name, variable in variables_for(event).items()}


class MissingVariable(KeyError):
    pass


def build_context(event: str, context: dict) -> dict:
    """Copy, from what the caller passed, exactly the documented variables,
    as plain data shaped like their samples."""
    plain = {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    for name, variable in EVENT_VARIABLES[event].items():
        if name not in context and variable.required:
            raise MissingVariable(f"notify({event}): the context has no {name!r} (see notifications.variables)")
        plain[name] = _project(context.get(name), variable.sample)
    return plain


_PLAIN_TYPES = (str, int, float, Decimal, bool, dt.date, type(None))
MAX_FREE_FIELDS = 500
MAX_FREE_TEXT = 2000


def _project(value, shape):
    if isinstance(shape, FreeFields):
        items = list((value or {}).items())[:MAX_FREE_FIELDS] if isinstance(value, dict) else []
        return FreeFields({str(key): str(_scalar(item))[:MAX_FREE_TEXT] for key, item in items})
    if isinstance(shape, dict):
        if value is None:
            return {field: "" for field in shape}
        return {field: _project(_read(value, field), sub) for field, sub in shape.items()}
    if isinstance(shape, list):
        return [_project(item, shape[0]) for item in (value or ())]
    return _scalar(value)


def _read(obj, field: str):
    if isinstance(obj, dict):
        return obj.get(field, "")
    display = getattr(obj, f"get_{field}_display", None)  # a Django choice: its label
    if callable(display):
        return display()
    value = getattr(obj, field, "")
    return "" if callable(value) else value


def _scalar(value):
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        value = getattr(value, "label", value.value)
    # Anything else (a lazy translation, a model instance) becomes its text.
    return value if isinstance(value, _PLAIN_TYPES) else str(value)


# --- Stored with the outbox row, rendered by the worker ---------------------------------
# The context built above is kept on the row as JSON until the delivery task
# renders it. JSON has no dates, amounts or answer sets: they are tagged, so
# that the worker renders exactly what the request would have.

_TAGS = {"$datetime": dt.datetime.fromisoformat, "$date": dt.date.fromisoformat, "$decimal": Decimal}


def context_to_json(value):
    """A context of ``build_context`` as JSON-able data (``context_from_json`` reverses it)."""
    if isinstance(value, FreeFields):
        return {"$free": {str(key): str(item) for key, item in value.items()}}
    if isinstance(value, dict):
        return {str(key): context_to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [context_to_json(item) for item in value]
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    return value


def context_from_json(value):
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, item), = value.items()
            if tag == "$free":
                return FreeFields(item)
            if tag in _TAGS:
                return _TAGS[tag](item)
        return {key: context_from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [context_from_json(item) for item in value]
    return value
