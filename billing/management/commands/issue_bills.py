"""``manage.py issue_bills --month 2027-01``: issue each family's bill for
a month of consumption now (the Huey task does it on the 21st). Safe to run
twice: a family whose bill exists is skipped."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing import deadlines, services


class Command(BaseCommand):
    help = "Émet la facture du mois de chaque famille (par défaut : le mois prochain)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="Mois de consommation, AAAA-MM.")

    def handle(self, *args, month=None, **options):
        if month:
            try:
                first = dt.datetime.strptime(month, "%Y-%m").date()
            except ValueError:
                raise CommandError("Écrivez le mois sous la forme AAAA-MM, par exemple 2027-01.") from None
        else:
            first = deadlines.first_open_month(timezone.now())
        count = services.bills_issue(month=first)
        self.stdout.write(self.style.SUCCESS(f"{count} facture(s) émise(s) pour {first:%m/%Y}."))
