"""The portal as an installable web app: its manifest, its service worker
and the page shown without network, served from the site root
(``inscrire/urls.py``).

Written here rather than taken from django-pwa (README, « Application
mobile »): the worker must never keep a page of the portal — pages name
children — which django-pwa's default worker does for anything it has seen;
its registration snippet is an inline script the Content-Security-Policy
refuses; its manifest is a Django template fed from settings, where ours is
translated per request; and its views set none of the headers a worker needs.

The worker keeps only the static shell and the offline page, in a cache
named after a hash of those files and of the templates that make the
worker and the offline page: a deployment that changes any of them changes
``/sw.js``, so browsers install the new worker, which deletes the old cache.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

# The site's colours (cms/static/cms/css/site.css: --brand, --bg).
THEME_COLOR = "#0b5e7a"
BACKGROUND_COLOR = "#ffffff"
CACHE_PREFIX = "inscrire-shell-"
ICONS = "inscrire/icons/"
# What the offline page needs, and the icons a notification shows.
SHELL_STATIC = (
    "cms/css/site.css",
    "inscrire/js/pwa.js",
    f"{ICONS}icon-32.png",
    f"{ICONS}icon-192.png",
    f"{ICONS}badge-96.png",
)
# The templates whose change must reach installed apps.
SHELL_TEMPLATES = ("pwa/sw.js", "pwa/offline.html", "base.html")
# Navigations the worker leaves to the browser: the Wagtail admin is not the
# family's app, and keeps its own behaviour.
BYPASS_PREFIXES = ("/cms/",)


@lru_cache(maxsize=1)
def cache_version() -> str:
    """A hash of the app's version, of the shell's files and of the
    templates of the worker and of the offline page."""
    digest = hashlib.sha256(metadata.version("inscrire").encode())
    for name in SHELL_STATIC:
        digest.update(static(name).encode())
        path = finders.find(name)
        digest.update(open(path, "rb").read() if path else b"?")  # noqa: SIM115 - small files, read once
    for name in SHELL_TEMPLATES:
        digest.update((settings.BASE_DIR / "templates" / "jinja2" / name).read_bytes())
    return digest.hexdigest()[:16]


def _version() -> str:
    if settings.DEBUG:  # static files and templates change without a restart
        cache_version.cache_clear()
    return cache_version()


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: what a phone needs to install the portal."""
    icon = static(f"{ICONS}icon-512.png")
    data = {
        "id": "/",
        "name": _("Inscrire — inscriptions scolaires du Sud de la Martinique"),
        "short_name": settings.WAGTAIL_SITE_NAME,
        "description": _(
            "Inscrivez vos enfants dans les écoles maternelles et élémentaires du Sud de la Martinique et suivez "
            "leur dossier."
        ),
        "lang": (get_language() or settings.LANGUAGE_CODE)[:2],
        "dir": "ltr",
        # « Mes dossiers »: what a family opens the app for (the sign-in page first when signed out).
        "start_url": reverse("dossiers:list"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "categories": ["education"],
        "icons": [
            {"src": static(f"{ICONS}icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": icon, "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static(f"{ICONS}icon-maskable-192.png"), "sizes": "192x192", "type": "image/png",
             "purpose": "maskable"},
            {"src": static(f"{ICONS}icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: served from the root so that its scope is the whole site."""
    version = _version()
    config = {
        "version": version,
        "prefix": CACHE_PREFIX,
        "cache": f"{CACHE_PREFIX}{version}",
        "offline": reverse("pwa_offline"),
        "shell": [static(name) for name in SHELL_STATIC] + [reverse("pwa_offline")],
        "bypass": list(BYPASS_PREFIXES),
        "name": settings.WAGTAIL_SITE_NAME,
        "icon": static(f"{ICONS}icon-192.png"),
        "badge": static(f"{ICONS}badge-96.png"),
    }
    response = HttpResponse(
        render_to_string("pwa/sw.js", {"config": config}), content_type="text/javascript; charset=utf-8"
    )
    # Browsers check for a new worker at each visit; no-cache makes them ask us.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """The page the worker shows when the network is gone. The worker
    fetches it without cookies, and it is rendered as for anyone (no name,
    no form): it is kept on the phone."""
    response = render(request, "pwa/offline.html", {"offline_page": True})
    response["Cache-Control"] = "no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response
