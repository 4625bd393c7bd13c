from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    # Replaces the form builder's plain list: the workflow knows the states.
    path("", views.family_list, name="family_list"),
    path("<uuid:public_id>/suivi/", views.family_dossier, name="family_dossier"),
    path("<uuid:public_id>/retirer/", views.family_withdraw, name="family_withdraw"),
]
