from django.urls import path

from . import admin_views, audit

urlpatterns = [
    path("", admin_views.index, name="index"),
    path("valider/", admin_views.validate_many, name="validate_many"),
    path("exports/", admin_views.export, name="export"),
    path("exports/<int:pk>/", admin_views.export_status, name="export_status"),
    path("exports/<int:pk>/fichier/", admin_views.export_download, name="export_download"),
    path("statistiques/", admin_views.statistics, name="statistics"),
    path("<int:pk>/", admin_views.detail, name="detail"),
    path("<int:pk>/decision/<slug:decision>/", admin_views.decide, name="decide"),
    path("<int:pk>/message/", admin_views.message, name="message"),
    path("<int:pk>/prise-en-charge/", admin_views.take_charge, name="take_charge"),
    path("<int:pk>/annotation/", admin_views.note, name="note"),
    path("<int:pk>/avis/", admin_views.opinion_ask, name="opinion_ask"),
    path("<int:pk>/avis/<int:opinion_id>/", admin_views.opinion_answer, name="opinion_answer"),
    path("<int:pk>/consultations/", audit.report, name="audit"),
]
