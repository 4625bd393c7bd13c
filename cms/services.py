"""Editors' actions on the portal's content."""

from __future__ import annotations

import datetime as dt
import re
from copy import deepcopy

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import EnrolmentFormPage, HelpIndexPage
from .signals import school_year_prepared

# « 2026-2027 », « 2020 - 2021 », « 2026/2027 », « 2026–2027 »
SCHOOL_YEAR = re.compile(r"(?<!\d)(\d{4})(\s*[-–/]\s*)(\d{4})(?!\d)")
DATE_KEYS = {"min_date", "max_date"}


def next_school_year_text(text: str) -> str:
    """Move every school year written in ``text`` one year forward."""

    def shift(match: re.Match) -> str:
        first, separator, second = int(match[1]), match[2], int(match[3])
        if second != first + 1:
            return match[0]
        return f"{first + 1}{separator}{second + 1}"

    return SCHOOL_YEAR.sub(shift, text)


def _plus_one_year(day: dt.date | dt.datetime):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _shift_form_dates(value):
    """Date bounds of the form's questions (a birth date that fits the
    level…) move with the year."""
    if isinstance(value, dict):
        shifted = {}
        for key, item in value.items():
            if key in DATE_KEYS and isinstance(item, str) and item:
                try:
                    shifted[key] = _plus_one_year(dt.date.fromisoformat(item)).isoformat()
                    continue
                except ValueError:
                    pass
            shifted[key] = _shift_form_dates(item)
        return shifted
    if isinstance(value, list):
        return [_shift_form_dates(item) for item in value]
    return value


class RolloverError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _prepare(page, *, previous=None) -> None:
    """Turn a copied page into next year's draft."""
    page.title = next_school_year_text(page.title)
    if isinstance(page, HelpIndexPage):
        page.subtitle = next_school_year_text(page.subtitle)
    if isinstance(page, EnrolmentFormPage):
        page.opens_at = _plus_one_year(page.opens_at) if page.opens_at else None
        page.closes_at = _plus_one_year(page.closes_at) if page.closes_at else None
        page.form = _shift_form_dates(deepcopy(list(page.form.raw_data)))
        page.previous_year_page = previous
    # The page is a draft: its row and its latest revision say the same.
    page.save()
    page.save_revision()


@transaction.atomic
def school_year_next(*, page, by):
    """Prepare next school year's copy of a help index (with its pages) or
    of a form page, as drafts the editor reviews and publishes. This year's
    pages and dossiers are not touched."""
    page = page.specific
    if not isinstance(page, (HelpIndexPage, EnrolmentFormPage)):
        raise RolloverError(_("Seuls un sommaire d'aide ou un formulaire de démarche se préparent pour l'année suivante."))
    title = next_school_year_text(page.title)
    if title == page.title:
        raise RolloverError(_(
            "Le titre de la page ne contient pas d'année scolaire (par exemple « 2026-2027 ») : "
            "ajoutez-la avant de préparer l'année suivante."
        ))
    parent = page.get_parent()
    slug = next_school_year_text(page.slug)
    if slug == page.slug:
        slug = slugify(title)
    if parent.get_children().filter(slug=slug).exists():
        raise RolloverError(_("L'année suivante existe déjà : la page « %(slug)s » est déjà là.") % {"slug": slug})

    copy = page.copy(
        recursive=True, to=parent, update_attrs={"slug": slug}, keep_live=False, user=by
    ).specific
    _prepare(copy, previous=page if isinstance(page, EnrolmentFormPage) else None)
    originals = {p.title: p for p in page.get_descendants().specific()}
    for child in copy.get_descendants().specific():
        original = originals.get(child.title)
        _prepare(child, previous=original if isinstance(original, EnrolmentFormPage) else None)
    year = SCHOOL_YEAR.search(page.title)
    from_year = f"{year[1]}-{year[3]}"
    school_year_prepared.send(
        sender=type(page), page=copy, from_year=from_year, to_year=next_school_year_text(from_year), by=by
    )
    return copy
