"""Response hardening that Django's own middleware does not cover.

- ``ContentSecurityPolicyMiddleware``: django-csp's middleware, giving the
  Wagtail admin (``/cms/``) a policy of its own. Public pages load only the
  portal's own scripts and styles, never inline ones; the admin writes
  inline scripts and styles itself (Wagtail's Stimulus controllers, its
  JSON-in-script configuration, ``style=""`` in its templates), so it gets
  ``'unsafe-inline'`` for those two and stays strict on everything else
  (no other origin, no plugins, no framing by other sites). Wagtail's
  previews get it too: Wagtail renders a preview by running a *dummy*
  request, whose path is the page's public address (``/``, ``/inscription-…/``),
  through the whole middleware chain again (``request.is_dummy``), so the
  preview would otherwise carry the public ``frame-ancestors 'none'`` and the
  admin's preview panel could not frame it.
- ``RequestLimitsMiddleware``: refuses with 413 a request whose declared
  body is larger than ``REQUEST_MAX_BODY_SIZE`` before anything reads it
  (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` leaves uploaded files out), adds
  ``Permissions-Policy``, and keeps pages shown to a signed-in person out
  of shared and browser caches (a family's pages name their children).
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

ADMIN_PREFIX = "/cms/"


def is_admin_request(request: HttpRequest) -> bool:
    """An admin page, or a preview the admin renders (``is_dummy`` is set by
    Wagtail's ``make_preview_request`` only, never from anything a client sends)."""
    return request.path_info.startswith(ADMIN_PREFIX) or getattr(request, "is_dummy", False) is True


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request: HttpRequest, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and is_admin_request(request):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
        return parts


class RequestLimitsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BODY_SIZE:
            body = render_to_string("413.html", {"max_mb": settings.REQUEST_MAX_BODY_SIZE // (1024 * 1024)})
            response = HttpResponse(body, status=413)
            # The body was not read: the connection cannot be reused for another request.
            response["Connection"] = "close"
            return response
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the portal's error page, which needs no database. When
    the database is what failed (stopped, restarting, unreachable) the answer
    is 503 with ``Retry-After``: the next request opens a new connection, so
    the site recovers by itself once the database is back."""
    import sys

    from django.db import DatabaseError, InterfaceError, OperationalError

    error = sys.exc_info()[1]
    database_down = isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DatabaseError) and "connect" in str(error).lower()
    )
    response = HttpResponse(render_to_string("500.html"), status=503 if database_down else 500)
    if database_down:
        response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response
