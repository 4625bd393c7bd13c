from django.urls import path

from . import admin_views, quotient_admin_views

urlpatterns = [
    path("", admin_views.index, name="index"),
    path("mandats/<int:pk>/", admin_views.mandate_detail, name="mandate"),
    path("mandats/<int:pk>/document/", admin_views.mandate_document, name="mandate_document"),
    path("mandats/<int:pk>/valider/", admin_views.mandate_validate, name="mandate_validate"),
    path("mandats/<int:pk>/refuser/", admin_views.mandate_refuse, name="mandate_refuse"),
    path("especes/<int:dossier_pk>/", admin_views.cash, name="cash"),
    path("factures/especes/", admin_views.bill_cash, name="bill_cash"),
    path("export/", admin_views.export, name="export"),
    path("export/<str:month>/fichier/", admin_views.export_file, name="export_file"),
    path("prelevements/<int:pk>/rejeter/", admin_views.debit_reject, name="debit_reject"),
    path("quotients/", quotient_admin_views.quotients, name="quotients"),
    path("quotients/<int:pk>/", quotient_admin_views.quotient_detail, name="quotient"),
    path("quotients/<int:pk>/attestation/", quotient_admin_views.quotient_document, name="quotient_document"),
    path("quotients/<int:pk>/valider/", quotient_admin_views.quotient_validate, name="quotient_validate"),
    path("quotients/<int:pk>/refuser/", quotient_admin_views.quotient_refuse, name="quotient_refuse"),
]
