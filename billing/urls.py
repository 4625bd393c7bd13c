from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("factures/", views.bills, name="bills"),
    path("attestations-fiscales/", views.fiscal_attestations, name="fiscal_attestations"),
    path("attestations-fiscales/<int:year>/<int:child_id>.pdf", views.fiscal_attestation_pdf,
         name="fiscal_attestation_pdf"),
    path("factures/<str:number>/", views.bill_detail, name="bill"),
    path("factures/<str:number>/facture.pdf", views.bill_pdf, name="bill_pdf"),
    path("factures/<str:number>/recu.pdf", views.bill_receipt, name="bill_receipt"),
    path("factures/<str:number>/carte/", views.bill_card_start, name="bill_card_start"),
    path("<uuid:public_id>/", views.pay, name="pay"),
    path("<uuid:public_id>/mandat/", views.mandate_create, name="mandate_create"),
    path("<uuid:public_id>/mandat.pdf", views.mandate_pdf, name="mandate_pdf"),
    path("<uuid:public_id>/mandat/signe/", views.mandate_upload, name="mandate_upload"),
    path("<uuid:public_id>/carte/", views.card_start, name="card_start"),
    path("<uuid:public_id>/bordereau.pdf", views.cash_slip, name="cash_slip"),
    path("carte/<uuid:token>/", views.card_pay, name="card_pay"),
    path("carte/<uuid:token>/retour/", views.card_return, name="card_return"),
]

# Reservations, absences and the quotient familial (billing.reservation_views).
from . import reservation_views  # noqa: E402

urlpatterns += [
    path("reservations/", reservation_views.reservations_index, name="reservations"),
    path("reservations/<uuid:public_id>/<int:service_id>/", reservation_views.reservation_month,
         name="reservation_month"),
    path("reservations/<uuid:public_id>/<int:service_id>/absence/", reservation_views.absence_declare,
         name="absence_declare"),
    path("quotient/", reservation_views.quotient, name="quotient"),
    path("quotient/<int:pk>/attestation/", reservation_views.quotient_document, name="quotient_document"),
]
