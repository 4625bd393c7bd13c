"""The attestation's text, written by editors with words between braces:
only the listed words, no attribute, index or format — so an editor's text
can never reach anything but the values given to it."""

from __future__ import annotations

import string

from django.utils.translation import gettext as _


def _placeholders():
    from .models import ATTESTATION_PLACEHOLDERS

    return ATTESTATION_PLACEHOLDERS


def template_problem(body: str) -> str | None:
    try:
        parts = list(string.Formatter().parse(body or ""))
    except ValueError:
        return _("Une accolade n'est pas fermée : écrivez les mots à remplacer ainsi : {enfant}.")
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion or name not in _placeholders():
            return _("« {%(name)s} » n'est pas un mot connu. Mots possibles : %(known)s.") % {
                "name": name, "known": ", ".join("{" + k + "}" for k in _placeholders())
            }
    return None


def render(body: str, values: dict[str, str]) -> str:
    out = []
    for literal, name, _spec, _conversion in string.Formatter().parse(body):
        out.append(literal)
        if name is not None:
            out.append(str(values.get(name, "")))
    return "".join(out)
