"""The Jinja2 environment of the public pages.

Wagtail's Jinja2 extensions give ``pageurl``, ``slugurl``, ``richtext`` and
the userbar; Django's ``url``, ``static`` and gettext are added here so that
templates read like their Django counterparts.
"""

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from jinja2 import Environment

from notifications.formats import date_fr, de, montant


def url(viewname: str, *args, **kwargs) -> str:
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def portal(request) -> dict:
    """Context processor: the portal's name. Django's auth views (login,
    password reset) put the request's host in ``site_name`` for lack of
    django.contrib.sites, which would shadow the global below and show
    « 127.0.0.1:8000 » as the brand; processors run after the view's context."""
    return {"site_name": settings.WAGTAIL_SITE_NAME}


def environment(**options) -> Environment:
    extensions = list(options.pop("extensions", []))
    extensions += [
        "jinja2.ext.i18n",
        "wagtail.jinja2tags.core",
        "wagtail.admin.jinja2tags.userbar",
        "wagtail.images.jinja2tags.images",
        "wagtail.contrib.settings.jinja2tags.settings",
    ]
    env = Environment(extensions=extensions, **options)
    env.install_gettext_translations(translation, newstyle=True)
    env.globals.update(
        {
            "url": url,
            "static": static,
            "get_messages": get_messages,
            "get_language": translation.get_language,
            "site_name": settings.WAGTAIL_SITE_NAME,
        }
    )
    env.filters.update({"date_fr": date_fr, "montant": montant, "de": de})
    return env
