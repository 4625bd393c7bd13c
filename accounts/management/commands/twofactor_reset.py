"""``manage.py twofactor_reset EMAIL``: a member of staff lost their phone.

Removes their authentication app; at their next sign-in they enrol a new
one (``/compte/double-authentification/activer/``)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Réinitialise la double authentification d'un compte (téléphone perdu ou changé)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Aucun compte avec l'adresse {email}.")
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        self.stdout.write(self.style.SUCCESS(
            f"{count} application(s) d'authentification retirée(s) pour {user.email} : "
            "une nouvelle sera enregistrée à sa prochaine connexion."
        ))
