from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from wagtail.models import Page

from .school_year import next_school_year_text
from .services import RolloverError, school_year_next


def can_roll(page, user) -> bool:
    parent = page.get_parent()
    return (
        parent is not None
        and page.permissions_for_user(user).can_copy()
        and parent.permissions_for_user(user).can_add_subpage()
    )


@require_http_methods(["GET", "POST"])
def school_year_next_view(request, page_id: int):
    """« Préparer l'année suivante »: confirm, then copy as drafts."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not can_roll(page, request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            copy = school_year_next(page=page, by=request.user)
        except RolloverError as error:
            messages.error(request, error.message)
            return redirect(reverse("wagtailadmin_explore", args=[page.get_parent().pk]))
        messages.success(
            request,
            _("« %(title)s » est prêt en brouillon : relisez-le, puis publiez-le.") % {"title": copy.title},
        )
        changes = getattr(copy, "school_year_changes", {})
        if changes:
            messages.info(
                request,
                _("Années scolaires avancées d'un an dans : %(changes)s.") % {"changes": " ; ".join(
                    _("« %(page)s » (%(fields)s)") % {"page": title, "fields": ", ".join(fields)}
                    for title, fields in changes.items()
                )},
            )
        else:
            messages.info(request, _("Aucune année scolaire n'était écrite dans les textes des pages : seuls les "
                                     "titres ont changé."))
        return redirect("wagtailadmin_pages:edit", copy.pk)
    return TemplateResponse(
        request,
        "cms/admin/school_year_next.html",
        {"page": page, "new_title": next_school_year_text(page.title), "descendants": page.get_descendants().count()},
    )
