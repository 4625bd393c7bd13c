"""The family's pages of a dossier once the workflow knows it. The project's
URLconf mounts them with the form builder's pages under one namespace,
« dossiers » (``/dossiers/``): each route is served once."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.family_list, name="list"),
    path("<uuid:public_id>/suivi/", views.family_dossier, name="family_dossier"),
    path("<uuid:public_id>/retirer/", views.family_withdraw, name="family_withdraw"),
    path("<uuid:public_id>/attestation.pdf", views.attestation, name="attestation"),
    path("documents/<uuid:public_id>/", views.document, name="document"),
]
