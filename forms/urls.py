from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("commencer/", views.start, name="start"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/etape/<int:index>/", views.step, name="step"),
    path("<uuid:public_id>/recapitulatif/", views.review, name="review"),
    path("documents/<uuid:public_id>/", views.document_download, name="document"),
]
