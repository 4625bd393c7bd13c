from django.urls import path

from . import twofactor_views

app_name = "twofactor"

urlpatterns = [
    path("activer/", twofactor_views.setup, name="setup"),
    path("code/", twofactor_views.verify, name="verify"),
]
