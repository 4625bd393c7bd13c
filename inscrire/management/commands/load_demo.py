from django.core.management.base import BaseCommand

from inscrire.demo.loader import load_demo


class Command(BaseCommand):
    help = "Charge le contenu de démonstration (pages d'aide, écoles, comptes). Peut être relancée sans risque."

    def handle(self, *args, **options):
        report = load_demo()
        for line in report.created:
            self.stdout.write(f"  + {line}")
        if not report.created:
            self.stdout.write("  Contenu de démonstration déjà chargé : rien à ajouter.")
        self.stdout.write("\nComptes de démonstration :")
        for login in report.logins:
            self.stdout.write(f"  {login.role:<45} {login.email:<45} {login.password}")
