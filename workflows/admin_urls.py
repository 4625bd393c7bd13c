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
    path("<int:pk>/consultations/", audit.report, name="audit"),
]
