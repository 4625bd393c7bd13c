"""The attestation d'inscription: the text editors write, with words between
braces — only the listed words, no attribute, index or format, so an
editor's text can never reach anything but the values given to it — and
the PDF made from it."""

from __future__ import annotations

import string

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from files.pdf import Document, date_text


PLACEHOLDERS = {
    "enfant": gettext_lazy("prénom et nom de l'enfant"),
    "date_naissance": gettext_lazy("date de naissance de l'enfant"),
    "ecole": gettext_lazy("nom de l'école"),
    "commune": gettext_lazy("commune de l'école"),
    "annee_scolaire": gettext_lazy("année scolaire"),
    "reference": gettext_lazy("numéro du dossier"),
    "famille": gettext_lazy("nom de la famille"),
    "date": gettext_lazy("date de l'attestation"),
    "demarche": gettext_lazy("nom de la démarche"),
}


def template_problem(body: str, placeholders=None) -> str | None:
    """Why an editor's text cannot be used (a word between braces not in
    ``placeholders``, by default the attestation d'inscription's), or None."""
    placeholders = PLACEHOLDERS if placeholders is None else placeholders
    try:
        parts = list(string.Formatter().parse(body or ""))
    except ValueError:
        return _("Une accolade n'est pas fermée : écrivez les mots à remplacer ainsi : {enfant}.")
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion or name not in placeholders:
            return _("« {%(name)s} » n'est pas un mot connu. Mots possibles : %(known)s.") % {
                "name": name, "known": ", ".join("{" + k + "}" for k in placeholders)
            }
    return None


def render(body: str, values: dict[str, str]) -> str:
    out = []
    for literal, name, _spec, _conversion in string.Formatter().parse(body):
        out.append(literal)
        if name is not None:
            out.append(str(values.get(name, "")))
    return "".join(out)


def attestation_pdf(*, title: str, body: str, signature: str, school_name: str) -> bytes:
    doc = Document(title)
    doc.text_block(school_name, bold=True)
    doc.ln(4)
    for paragraph in body.split("\n"):
        if paragraph.strip():
            doc.text_block(paragraph)
        doc.ln(2)
    doc.ln(8)
    if signature:
        doc.text_block(signature, bold=True)
    doc.ln(10)
    doc.text_block(f"Document généré le {date_text(timezone.localdate())} par Inscrire.", size=8, height=4)
    return doc.bytes()
