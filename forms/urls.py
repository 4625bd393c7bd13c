"""The family filling in a dossier. Mounted by the project's URLconf under
the « dossiers » namespace, with the workflow's pages (« Mes dossiers »,
following a dossier, its documents)."""

from django.urls import path

from . import views

urlpatterns = [
    path("commencer/", views.start, name="start"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/etape/<int:index>/", views.step, name="step"),
    path("<uuid:public_id>/recapitulatif/", views.review, name="review"),
]
