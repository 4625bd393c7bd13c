from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    # Sign in, sign out
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(template_name="registration/logged_out.html"), name="logout"),
    # Sign-up in five steps
    path("inscription/", views.signup, name="signup"),
    path("inscription/etape-<int:step>/", views.signup_step, name="signup_step"),
    path("inscription/termine/", views.signup_done, name="signup_done"),
    # E-mail confirmation
    path("confirmer/<str:token>/", views.confirm_email, name="confirm_email"),
    path("confirmation/renvoyer/", views.confirmation_resend, name="confirmation_resend"),
    # Passwords
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/nouveau/termine/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # Mon compte
    path("", views.account, name="account"),
    path("coordonnees/", views.contact_edit, name="contact_edit"),
    path("enfants/ajouter/", views.child_edit, name="child_add"),
    path("enfants/<int:pk>/", views.child_edit, name="child_edit"),
    path("responsables/inviter/", views.guardian_invite, name="guardian_invite"),
    path("invitation/<str:token>/", views.guardian_accept, name="guardian_accept"),
    path("conditions/", views.consents, name="consents"),
    # Notifications on the phone (Web Push), device by device
    path("notifications/activer/", views.push_subscribe, name="push_subscribe"),
    path("notifications/desactiver/", views.push_unsubscribe, name="push_unsubscribe"),
]
