"""Editors' actions on the portal's content."""

from __future__ import annotations

from django.db import models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.fields import StreamField
from wagtail.models import Page

from .school_year import SCHOOL_YEAR, next_school_year_in_blocks, next_school_year_text
from .signals import school_year_prepared


class RolloverError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# Text fields every page has that an editor writes (the title is moved apart).
_PAGE_TEXT_FIELDS = frozenset({"seo_title", "search_description"})
_NOT_TEXT = (models.SlugField, models.URLField, models.EmailField)


def _move_years_in_texts(page) -> list[str]:
    """Move the school years written in the page's own texts: plain and rich
    text fields, and every text of its StreamFields (help blocks, steps,
    questions). Returns the name of each field changed."""
    changed = []
    for field in type(page)._meta.concrete_fields:
        if field.model is Page and field.name not in _PAGE_TEXT_FIELDS:
            continue
        if isinstance(field, StreamField):
            raw = list(getattr(page, field.name).raw_data)
            moved = next_school_year_in_blocks(raw)
            if moved != raw:
                setattr(page, field.name, moved)
                changed.append(str(field.verbose_name))
        elif isinstance(field, (models.CharField, models.TextField)) and not isinstance(field, _NOT_TEXT) \
                and not field.choices:
            text = getattr(page, field.name) or ""
            moved = next_school_year_text(text)
            if moved != text:
                setattr(page, field.name, moved)
                changed.append(str(field.verbose_name))
    return changed


def _prepare(page, *, previous=None) -> list[str]:
    """Turn a copied page into next year's draft; returns the names of the
    texts where a school year moved. A page type with more to move (dates,
    links to last year's page) says so in its own
    ``prepare_next_school_year(previous=…)``: this app never imports it."""
    page.title = next_school_year_text(page.title)
    changed = _move_years_in_texts(page)
    hook = getattr(page, "prepare_next_school_year", None)
    if hook is not None:
        hook(previous=previous)
    # The page is a draft: its row and its latest revision say the same.
    page.save()
    page.save_revision()
    return changed


@transaction.atomic
def school_year_next(*, page, by):
    """Prepare next school year's copy of a help index (with its pages) or
    of a form page, as drafts the editor reviews and publishes. This year's
    pages and dossiers are not touched. The copy's ``school_year_changes``
    says, for each page whose texts had a school year, which texts moved."""
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
    # What moved, page by page, for the editor to review: « title » → fields.
    copy.school_year_changes = {}
    if changed := _prepare(copy, previous=page):
        copy.school_year_changes[copy.title] = changed
    originals = {p.title: p for p in page.get_descendants().specific()}
    for child in copy.get_descendants().specific():
        if changed := _prepare(child, previous=originals.get(child.title)):
            copy.school_year_changes[child.title] = changed
    year = SCHOOL_YEAR.search(page.title)
    from_year = f"{year[1]}-{year[3]}"
    school_year_prepared.send(
        sender=type(page), page=copy, from_year=from_year, to_year=next_school_year_text(from_year), by=by
    )
    return copy
