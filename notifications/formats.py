"""Dates and amounts written the French way — the one definition, used by
the messages editors write (``{{ due_date|date_fr }}``) and by the site's
pages (the same filters in the Jinja2 environment of ``inscrire``).

``date_fr``: « 20 décembre 2026 », « 1er mars 2027 »; ``heure=True`` adds
« à 14 h 30 » (Martinique time); ``mois=True`` gives « septembre 2026 ».
``montant``: « 45,50 € », « 1 234,00 € ». ``de``: « de Léa », « d'Inès »
(the elision before a vowel or a mute h). Pages follow the visitor's
language; messages are always French (``french``).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats, translation
from django.utils.timezone import localtime


def date_fr(value, heure: bool = False, mois: bool = False) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        return value
    with_time = isinstance(value, dt.datetime)
    if with_time and value.tzinfo is not None:
        value = localtime(value)
    if not (translation.get_language() or "fr").startswith("fr"):
        name = "YEAR_MONTH_FORMAT" if mois else "DATETIME_FORMAT" if heure and with_time else "DATE_FORMAT"
        return formats.date_format(value, name)
    if mois:
        return formats.date_format(value, "F Y")
    text = formats.date_format(value, "j F Y")
    if text.startswith("1 "):
        text = "1er" + text[1:]
    if heure and with_time:
        text += formats.date_format(value, r" \à G \h i")
    return text


def montant(value) -> str:
    """Non-breaking spaces, as French typography wants."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    with translation.override("fr"):
        return formats.number_format(amount, 2, use_l10n=True, force_grouping=True) + "\u00a0€"


_ELIDED = set("aàâäeéèêëiîïoôöuùûüyœæh")


def de(name) -> str:
    """« de Léa », « d'Inès », « d'Hugo »: the French preposition before a name."""
    text = str(name or "").strip()
    if text and text[0].lower() in _ELIDED:
        return f"d'{text}"
    return f"de {text}"


def readable(value) -> str:
    """A value as an editor reads it in the list of a message's variables:
    « 14/03/2023 », « 02/06/2026 14:30 », « 45,50 € », « (vide) »; a list
    reads as its items one after the other. (A dict is shown field by field
    by the caller.)"""
    if value is None or value == "":
        return translation.gettext("(vide)")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return montant(value)
    if isinstance(value, bool):
        return translation.gettext("oui") if value else translation.gettext("non")
    if isinstance(value, dict):
        return " ; ".join(f"{key} : {readable(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return " | ".join(readable(item) for item in value)
    return str(value)


def french(function):
    """``function`` run in French, whatever the language of the request
    that caused the message."""

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        with translation.override("fr"):
            return function(*args, **kwargs)

    return wrapped
