"""Editors' actions on the portal's content."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .school_year import SCHOOL_YEAR, next_school_year_text
from .signals import school_year_prepared


class RolloverError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _prepare(page, *, previous=None) -> None:
    """Turn a copied page into next year's draft. A page type with more to
    move (dates, links to last year's page) says so in its own
    ``prepare_next_school_year(previous=…)``: this app never imports it."""
    page.title = next_school_year_text(page.title)
    hook = getattr(page, "prepare_next_school_year", None)
    if hook is not None:
        hook(previous=previous)
    # The page is a draft: its row and its latest revision say the same.
    page.save()
    page.save_revision()


@transaction.atomic
def school_year_next(*, page, by):
    """Prepare next school year's copy of a help index (with its pages) or
    of a form page, as drafts the editor reviews and publishes. This year's
    pages and dossiers are not touched."""
    page = page.specific
    if not getattr(page, "school_year_rollover", False):
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
    _prepare(copy, previous=page)
    originals = {p.title: p for p in page.get_descendants().specific()}
    for child in copy.get_descendants().specific():
        _prepare(child, previous=originals.get(child.title))
    year = SCHOOL_YEAR.search(page.title)
    from_year = f"{year[1]}-{year[3]}"
    school_year_prepared.send(
        sender=type(page), page=copy, from_year=from_year, to_year=next_school_year_text(from_year), by=by
    )
    return copy
