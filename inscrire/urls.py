from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from forms import urls as forms_urls
from inscrire import pwa
from workflows import urls as workflows_urls

urlpatterns = [
    # The installable app (inscrire/pwa.py): at the root, so that the
    # service worker's scope is the whole site.
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("sw.js", pwa.service_worker, name="pwa_service_worker"),
    path("hors-connexion/", pwa.offline, name="pwa_offline"),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("compte/donnees/", include("privacy.urls")),
    path("compte/double-authentification/", include("accounts.twofactor_urls")),
    path("compte/", include("accounts.urls")),
    # A family's dossiers: filling one in (the form builder), then following
    # it (the workflow), under one namespace.
    path("dossiers/", include((forms_urls.urlpatterns + workflows_urls.urlpatterns, "dossiers"))),
    path("paiements/", include("billing.urls")),
    # django-payments' provider callbacks (the provider confirms a card payment here).
    path("paiements/prestataire/", include("billing.provider_urls")),
    # Django's set_language view (POST): the footer's language switch.
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The error page needs no database; a database outage answers 503 (inscrire/security.py).
handler500 = "inscrire.security.server_error"

# Wagtail's page tree serves everything else; it must come last.
urlpatterns += [path("", include(wagtail_urls))]
